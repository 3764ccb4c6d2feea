package dev.sluice.cli;

import dev.sluice.detect.fingerprint.AnchorParams;
import dev.sluice.detect.fingerprint.ChunkParams;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintIndexBuilder;
import dev.sluice.detect.fingerprint.FingerprintIndexFile;
import dev.sluice.detect.fingerprint.IndexScheme;
import dev.sluice.detect.fingerprint.SourceFile;
import dev.sluice.detect.format.FormatException;
import dev.sluice.detect.format.TensorEntry;
import dev.sluice.detect.format.TensorRegion;
import dev.sluice.detect.format.WeightFiles;
import dev.sluice.detect.format.WeightFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice fingerprint index --out INDEX [--raw] [--scheme anchors|chunks] [--anchor-bits N]
 * PATH...}: reads the weight files under the paths ({@link WeightFiles}: safetensors, GGUF, ONNX,
 * PyTorch zip, TF.js; raw files whole with {@code --raw}, otherwise listed as skipped with the
 * reason), fingerprints their tensor bytes and writes the index ({@code
 * docs/formats/fingerprint-index-v2.md}, or v1 with {@code --scheme chunks}). Prints a summary on
 * stdout, a progress bar on stderr when it is a terminal. Exit 0; 2 when nothing could be indexed;
 * 3 when a file cannot be read or is corrupt (the error names the file and byte offset).
 */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description = {
      "Fingerprint the tensor bytes of weight files (files or directories) into an index.",
      "Format: docs/formats/fingerprint-index-v2.md (v1 with --scheme chunks)"
    })
final class FingerprintIndexCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = "--out", required = true, description = "Index file to write.")
  Path out;

  @CommandLine.Option(
      names = "--raw",
      description = "Index files of no known weight format whole, as raw weights.")
  boolean raw;

  /** The schemes an index can be built with. */
  enum Scheme {
    anchors,
    chunks
  }

  @CommandLine.Option(
      names = "--scheme",
      defaultValue = "anchors",
      description = {
        "anchors (default, index v2): the 4 KiB after each content-defined anchor; the gateway",
        "tests one offset in 8 for anchors. chunks (index v1): FastCDC chunks tiling the tensor",
        "bytes; every byte is hashed. docs/detection.md, decision 0035."
      })
  Scheme scheme;

  @CommandLine.Option(
      names = "--anchor-bits",
      defaultValue = "13",
      description = {
        "One anchor per 2^N bytes, 8..20 (default 13: 16 bytes of index per 8 KiB of weights;",
        "14 halves the index and the anchors a slice holds)."
      })
  int anchorBits;

  @CommandLine.Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description = "Weight files or directories.")
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
    PrintWriter stdout = spec.commandLine().getOut();
    Map<Path, List<TensorRegion>> byFile = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (Path p : paths) {
      collect(p, byFile, skipped);
    }
    if (byFile.isEmpty()) {
      skipped.forEach(s -> spec.commandLine().getErr().println("skipped " + s));
      throw new CommandFailure(SluiceCli.EXIT_USAGE, "no weights to index under " + paths);
    }
    long total = 0;
    for (Path f : byFile.keySet()) {
      total += size(f);
    }
    SluiceCli.Io io = SluiceCli.io(spec);
    ByteProgress progress =
        new ByteProgress(spec.commandLine().getErr(), io.terminal(), io.clock(), total);
    FingerprintIndexBuilder builder = new FingerprintIndexBuilder(indexScheme());
    long tensors = 0;
    long tensorBytes = 0;
    for (Map.Entry<Path, List<TensorRegion>> e : byFile.entrySet()) {
      try {
        SourceFile s = builder.add(e.getKey(), e.getKey().toString(), e.getValue(), progress::add);
        tensors += s.tensors();
        tensorBytes += s.tensorBytes();
      } catch (IOException | IllegalArgumentException | IllegalStateException x) {
        progress.finish();
        throw new CommandFailure(SluiceCli.EXIT_IO, e.getKey() + ": " + x.getMessage());
      }
    }
    progress.finish();
    FingerprintIndex index = builder.build();
    long indexBytes;
    try {
      FingerprintIndexFile.write(index, out);
      indexBytes = Files.size(out);
    } catch (IOException x) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "cannot write " + out + ": " + x.getMessage());
    }
    stdout.println(String.format(Locale.ROOT, "files         %,d", byFile.size()));
    stdout.println(String.format(Locale.ROOT, "tensors       %,d", tensors));
    stdout.println("tensor bytes  " + HumanBytes.withExact(tensorBytes));
    stdout.println(
        String.format(
            Locale.ROOT,
            scheme == Scheme.anchors
                ? "segments      %,d (%,d repetitive segments left out)"
                : "chunks        %,d (%,d repetitive chunks left out)",
            index.size(),
            builder.forcedChunks()));
    stdout.println("index         " + HumanBytes.withExact(indexBytes) + " -> " + out);
    if (tensorBytes > 0) {
      long perTb = (long) (indexBytes * (1e12 / tensorBytes));
      stdout.println(
          "per TB        " + HumanBytes.rounded(perTb) + " of index per TB of tensor bytes");
    }
    for (String s : skipped) {
      stdout.println("skipped       " + s);
    }
    stdout.flush();
    return 0;
  }

  private IndexScheme indexScheme() throws CommandFailure {
    if (scheme == Scheme.chunks) {
      return ChunkParams.DEFAULT;
    }
    try {
      return new AnchorParams(
          anchorBits, AnchorParams.DEFAULT.segment(), AnchorParams.DEFAULT.seed());
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(SluiceCli.EXIT_USAGE, "--anchor-bits: " + e.getMessage());
    }
  }

  private void collect(Path p, Map<Path, List<TensorRegion>> byFile, List<String> skipped)
      throws CommandFailure {
    try {
      List<TensorEntry> entries = WeightFiles.tensors(p, raw);
      for (TensorEntry t : entries) {
        byFile.computeIfAbsent(t.region().file(), f -> new ArrayList<>()).add(t.region());
      }
      for (Path f : WeightFiles.files(p)) {
        if (byFile.containsKey(f)) {
          continue;
        }
        if (size(f) == 0) {
          skipped.add(f + ": empty");
        } else if (WeightFiles.format(f) == WeightFormat.RAW) {
          if (!referenced(f, byFile)) {
            skipped.add(f + ": no known weight format (--raw indexes it whole)");
          }
        } else {
          skipped.add(f + ": " + WeightFiles.format(f) + " file without tensor bytes");
        }
      }
    } catch (FormatException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, e.getMessage());
    } catch (IOException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, p + ": " + e.getMessage());
    }
  }

  /** True when {@code f} holds bytes of tensors another file points to (ONNX external data). */
  private static boolean referenced(Path f, Map<Path, List<TensorRegion>> byFile) {
    Path abs = f.toAbsolutePath().normalize();
    return byFile.keySet().stream().anyMatch(k -> k.toAbsolutePath().normalize().equals(abs));
  }

  private static long size(Path f) throws CommandFailure {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, f + ": " + e.getMessage());
    }
  }
}
