package dev.sluice.detect.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Reads one weight-file format: the tensors of a file, each with the exact span of its bytes. */
public interface WeightFileReader {

  /**
   * The tensors of {@code file}, in file order. Empty tensors (no bytes) are left out.
   *
   * @throws FormatException if the file is not of this format or is corrupt (names the offset)
   * @throws IOException if the file cannot be read
   */
  List<TensorEntry> read(Path file) throws IOException;
}
