package dev.sluice.detect.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A file of no known format: all of it is one region of {@link DType#UNKNOWN}, named by the file.
 */
public final class RawReader implements WeightFileReader {

  @Override
  public List<TensorEntry> read(Path file) throws IOException {
    long size = Files.size(file);
    if (size == 0) {
      return List.of();
    }
    Path name = file.getFileName();
    return List.of(
        TensorEntry.unshaped(
            new TensorRegion(
                file, name == null ? file.toString() : name.toString(), 0, size, DType.UNKNOWN)));
  }
}
