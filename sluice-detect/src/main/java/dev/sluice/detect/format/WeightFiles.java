package dev.sluice.detect.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The entry point: the tensor regions of a weight file, or of every file under a directory. Each
 * file's format is told by its content ({@link FormatSniffer}) and read by its {@link
 * WeightFileReader}; files that other files point to (ONNX external data, TF.js shards) are read
 * through them, not a second time as raw files; every other file of no known format is one raw
 * region. Directories are walked in name order, without following directory links; empty files give
 * nothing.
 *
 * <p>A file whose content claims a format but is corrupt is an error ({@link FormatException}
 * naming the file and offset), not silently raw: an operator indexing weights wants to know that
 * the index will miss them.
 */
public final class WeightFiles {
  private WeightFiles() {}

  /** The tensor regions of {@code fileOrDir}: tensors of known formats, raw files whole. */
  public static List<TensorRegion> regions(Path fileOrDir) throws IOException {
    return tensors(fileOrDir, true).stream().map(TensorEntry::region).toList();
  }

  /**
   * The tensors of {@code fileOrDir}: those of the files of known formats in name order, then the
   * raw files in name order.
   *
   * @param includeRaw whether files of no known format are included whole ({@code false} to index
   *     only recognised weight files, leaving out tokenizers, configs and the like)
   */
  public static List<TensorEntry> tensors(Path fileOrDir, boolean includeRaw) throws IOException {
    List<Path> files = files(fileOrDir);
    List<TensorEntry> out = new ArrayList<>();
    List<Path> raw = new ArrayList<>();
    Set<Path> covered = new HashSet<>();
    for (Path f : files) {
      WeightFormat format = format(f);
      if (format == WeightFormat.RAW) {
        raw.add(f);
        continue;
      }
      for (TensorEntry e : format.reader().read(f)) {
        out.add(e);
        Path target = e.region().file();
        if (!target.equals(f)) {
          covered.add(target.toAbsolutePath().normalize());
        }
      }
    }
    if (includeRaw) {
      RawReader reader = new RawReader();
      for (Path f : raw) {
        if (!covered.contains(f.toAbsolutePath().normalize())) {
          out.addAll(reader.read(f));
        }
      }
    }
    return out;
  }

  /** The format of one file, told by its content (see {@link FormatSniffer}). */
  public static WeightFormat format(Path file) throws IOException {
    return FormatSniffer.sniff(file);
  }

  /** The regular files under {@code fileOrDir} (or the file itself), in name order. */
  public static List<Path> files(Path fileOrDir) throws IOException {
    if (!Files.isDirectory(fileOrDir)) {
      if (!Files.isRegularFile(fileOrDir)) {
        throw new IOException(fileOrDir + ": not a file or directory");
      }
      return List.of(fileOrDir);
    }
    try (Stream<Path> s = Files.walk(fileOrDir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
