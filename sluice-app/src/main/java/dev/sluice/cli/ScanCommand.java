package dev.sluice.cli;

import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintIndexFile;
import dev.sluice.detect.fingerprint.IndexFormatException;
import dev.sluice.scan.FileScanner;
import dev.sluice.scan.ScanResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice scan [--index INDEX] [--json] [--no-tensors] FILE...}: says of each file (a
 * directory: every regular file under it, in path order) whether it holds model weights, with the
 * fingerprint matches and the tensor regions found ({@link FileScanner}; output in {@link
 * ScanText}). Exit 0 every file clean, 1 weights in at least one, 2 bad usage or an unusable index
 * (named with the byte offset), 3 a file could not be read (named; the others are still scanned,
 * and 3 wins over 1 because a file was not judged).
 */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = {
      "Find model weights in files: fingerprint matches against an index (any offset, base64,",
      "hex, inside tar and stored zip, gzip/zstd files decoded) and float tensor data (fp32,",
      "fp16, bf16) that was never indexed. Streams each file; prints a verdict per file."
    })
final class ScanCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(
      names = "--index",
      paramLabel = "INDEX",
      description = "Fingerprint index (sluice fingerprint index --out).")
  Path index;

  @CommandLine.Option(names = "--json", description = "One JSON object per file and line.")
  boolean json;

  @CommandLine.Option(
      names = "--no-tensors",
      description = "Fingerprint matching only (needs --index): no statistical tensor detector.")
  boolean noTensors;

  @CommandLine.Parameters(
      arity = "1..*",
      paramLabel = "FILE",
      description = "Files or directories.")
  List<Path> paths;

  @Override
  public Integer call() {
    try {
      return run();
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    }
  }

  private int run() throws CommandFailure {
    if (index == null && noTensors) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE, "--no-tensors needs --index: nothing would be scanned");
    }
    FileScanner scanner = new FileScanner(loadIndex(), !noTensors);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean weights = false;
    boolean unreadable = false;
    for (Path file : files()) {
      String line;
      try {
        ScanResult r = scanner.scan(file);
        weights |= r.weights();
        line = json ? ScanText.json(file, r) : ScanText.text(file, r);
        if (r.decodeFailure() != null) {
          err.println(
              "warning: " + file + ": " + r.encoding() + " decoding stopped: " + r.decodeFailure());
        }
      } catch (IOException e) {
        unreadable = true;
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        line = json ? ScanText.jsonError(file, why) : file + ": error: cannot read: " + why;
        err.println("error: cannot read " + file + ": " + why);
      }
      out.println(line);
      out.flush();
    }
    err.flush();
    if (unreadable) {
      return SluiceCli.EXIT_IO;
    }
    return weights ? SluiceCli.EXIT_CHECK_FAILED : 0;
  }

  private FingerprintIndex loadIndex() throws CommandFailure {
    if (index == null) {
      return null;
    }
    try {
      return FingerprintIndexFile.read(index);
    } catch (IndexFormatException e) {
      throw new CommandFailure(SluiceCli.EXIT_USAGE, "index " + index + ": " + e.getMessage());
    } catch (IOException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE, "cannot read index " + index + ": " + e.getMessage());
    }
  }

  /** The files to scan: each FILE, or every regular file under a directory in path order. */
  private List<Path> files() throws CommandFailure {
    List<Path> out = new ArrayList<>();
    for (Path p : paths) {
      if (!Files.isDirectory(p)) {
        out.add(p);
        continue;
      }
      try (Stream<Path> s = Files.walk(p)) {
        s.filter(Files::isRegularFile).sorted().forEach(out::add);
      } catch (IOException | java.io.UncheckedIOException e) {
        throw new CommandFailure(SluiceCli.EXIT_IO, "cannot list " + p + ": " + e.getMessage());
      }
    }
    return out;
  }
}
