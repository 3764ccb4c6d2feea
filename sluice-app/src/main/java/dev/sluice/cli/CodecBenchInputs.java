package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The streams {@code codec bench --streams DIR} measures. DIR holds either stream files (one set,
 * as before families existed) or one subdirectory per stream family ({@code openai-chat}, {@code
 * anthropic}, ... as {@code bench/codec.sh} writes them), each a set measured and reported on its
 * own. A file {@code NAME.text} beside a stream is its answer text (UTF-8): the stream's text bytes
 * are then that file's length, whatever the stream's shape; it is never a stream itself.
 */
final class CodecBenchInputs {
  static final String SIDECAR = ".text";

  /** One set of streams: {@code name} is the family directory's name, or null for DIR itself. */
  record StreamSet(String name, List<Path> files) {}

  private CodecBenchInputs() {}

  /** The sets of {@code dir}, families sorted by name, files sorted by name. */
  static List<StreamSet> find(Path dir) throws CommandFailure {
    if (!Files.exists(dir)) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "no directory at " + dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new CommandFailure(SluiceCli.EXIT_USAGE, "--streams " + dir + ": not a directory");
    }
    List<Path> top = list(dir);
    List<Path> files = streams(top);
    if (!files.isEmpty()) {
      return List.of(new StreamSet(null, files));
    }
    List<StreamSet> sets = new ArrayList<>();
    for (Path sub : top) {
      if (Files.isDirectory(sub)) {
        List<Path> s = streams(list(sub));
        if (!s.isEmpty()) {
          sets.add(new StreamSet(sub.getFileName().toString(), s));
        }
      }
    }
    if (sets.isEmpty()) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE, "no files in " + dir + " nor in a family directory under it");
    }
    return sets;
  }

  /** The text bytes of {@code stream} from its sidecar, or -1 when it has none. */
  static long sidecarTextBytes(Path stream) throws CommandFailure {
    String name = stream.getFileName().toString();
    int dot = name.lastIndexOf('.');
    Path sidecar = stream.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + SIDECAR);
    if (!Files.isRegularFile(sidecar)) {
      return -1;
    }
    try {
      return Files.size(sidecar);
    } catch (IOException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "cannot read " + sidecar + ": " + e);
    }
  }

  private static List<Path> streams(List<Path> entries) {
    return entries.stream()
        .filter(Files::isRegularFile)
        .filter(p -> !p.getFileName().toString().endsWith(SIDECAR))
        .toList();
  }

  private static List<Path> list(Path dir) throws CommandFailure {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    } catch (NoSuchFileException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "no directory at " + dir);
    } catch (IOException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "cannot list " + dir + ": " + e);
    }
  }
}
