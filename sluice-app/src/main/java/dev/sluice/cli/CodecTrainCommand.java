package dev.sluice.cli;

import dev.sluice.codec.CodecModel;
import dev.sluice.codec.ModelTrainer;
import dev.sluice.config.ByteSizes;
import dev.sluice.ledger.AtomicFiles;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice codec train --corpus FILE... --out MODEL [--max-bytes SIZE]}: builds a codec model
 * file from the site's own answers ({@link TrainingCorpus} says which files are read how), with a
 * progress bar on stderr, and writes it atomically: a temporary file in the same directory, fsync,
 * rename, so {@code MODEL} is either the old file or the whole new one, never part of one.
 *
 * <p>Exit codes: 0 written; 2 bad options or a corpus line that is not a training record (named
 * {@code FILE:LINE: ...}), or no text at all; 3 a file that cannot be read or the model that cannot
 * be written.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Build a codec model file from sample answers: JSON Lines (*.jsonl, *.ndjson; the text in"
          + " \"output\" or \"answer\") or plain text files (one text each), gzipped or not.",
      "Gateway and edge must load the same model file."
    })
final class CodecTrainCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--corpus",
      paramLabel = "FILE",
      arity = "1..*",
      required = true,
      description = "Corpus files, read in this order.")
  List<Path> corpus;

  @Option(
      names = "--out",
      paramLabel = "MODEL",
      required = true,
      description = "The model file to write (replaced atomically).")
  Path out;

  @Option(
      names = "--streams",
      paramLabel = "DIR",
      description =
          "Captured egress streams (every regular file in DIR is one SSE body as the site's model"
              + " server wrote it): they tune the envelope and chunk-boundary models to the site's"
              + " real framing and tokenizer. Best taken from answers not also in --corpus."
              + " Without them the trainer frames some corpus texts itself.")
  Path streams;

  @Option(
      names = "--table-bits",
      paramLabel = "BITS",
      description =
          "Size of each of the model's 6 static tables: 2^BITS buckets of 32 bytes (4..22)."
              + " Default: follows the amount of text, 12 to 19 (16 MiB a table). Larger tables"
              + " keep more of a big corpus, cost memory and load time on gateway and edge.")
  Integer tableBits;

  @Option(
      names = "--max-bytes",
      paramLabel = "SIZE",
      description =
          "Train on at most this much text (UTF-8 bytes, e.g. 50MB): reading stops before the"
              + " first text that would pass it.")
  String maxBytes;

  @Override
  public Integer call() {
    try {
      return train();
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    }
  }

  private void addStreams(ModelTrainer trainer) throws IOException, CommandFailure {
    if (!Files.isDirectory(streams)) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "no streams directory at " + streams);
    }
    List<Path> files;
    try (java.util.stream.Stream<Path> list = Files.list(streams)) {
      files = list.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      trainer.addStream(Files.readAllBytes(f));
    }
  }

  private int train() throws CommandFailure {
    long cap = maxBytes == null ? Long.MAX_VALUE : parseCap(maxBytes);
    SluiceCli.Io io = SluiceCli.io(spec);
    Clock clock = io.clock();
    PrintWriter stdout = spec.commandLine().getOut();
    long start = clock.nanos();

    long totalFileBytes = 0;
    for (Path f : corpus) {
      if (!Files.isRegularFile(f)) {
        throw new CommandFailure(SluiceCli.EXIT_IO, "no corpus file at " + f);
      }
      totalFileBytes += size(f);
    }

    ModelTrainer trainer = new ModelTrainer();
    if (tableBits != null) {
      if (tableBits < 4 || tableBits > 22) {
        throw new CommandFailure(
            SluiceCli.EXIT_USAGE, "--table-bits must be 4..22, not " + tableBits);
      }
      trainer.tableBits(tableBits);
    }
    ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), io.terminal());
    boolean[] capped = {false};
    long before = 0;
    try {
      progress.update("reading", 0, totalFileBytes);
      for (Path f : corpus) {
        long base = before;
        long total = totalFileBytes;
        boolean more =
            TrainingCorpus.read(
                f,
                text -> {
                  if (trainer.textBytes() + text.getBytes(StandardCharsets.UTF_8).length > cap) {
                    capped[0] = true;
                    return false;
                  }
                  trainer.add(text);
                  return true;
                },
                n -> progress.update("reading", base + n, total));
        if (!more) {
          break;
        }
        before += size(f);
      }
      if (trainer.texts() == 0) {
        throw new CommandFailure(
            SluiceCli.EXIT_USAGE,
            capped[0]
                ? "no text fits in --max-bytes " + maxBytes
                : "no training text in " + corpus);
      }
      progress.update("reading", totalFileBytes, totalFileBytes);
      if (streams != null) {
        addStreams(trainer);
      }
      byte[] model = trainer.build(progress);
      CodecModel loaded = CodecModel.fromBytes(model, out.toString());
      progress.update("writing", 0, 1);
      Path abs = out.toAbsolutePath();
      Files.createDirectories(abs.getParent());
      AtomicFiles.write(abs, ByteBuffer.wrap(model));
      progress.update("writing", 1, 1);
      progress.finish();
      summary(stdout, trainer, capped[0], loaded, model.length, clock.nanos() - start);
      return 0;
    } catch (TrainingCorpus.BadRecord e) {
      throw new CommandFailure(SluiceCli.EXIT_USAGE, e.getMessage());
    } catch (NoSuchFileException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "no such file: " + e.getFile());
    } catch (IOException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, e.toString());
    } finally {
      progress.finish();
    }
  }

  private void summary(
      PrintWriter o,
      ModelTrainer trainer,
      boolean capped,
      CodecModel model,
      long fileSize,
      long nanos) {
    o.println("model written: " + out);
    o.printf(
        Locale.ROOT,
        "texts:         %,d from %d file%s%s%n",
        trainer.texts(),
        corpus.size(),
        corpus.size() == 1 ? "" : "s",
        capped ? " (stopped at --max-bytes " + maxBytes + ")" : "");
    o.println("text:          " + HumanBytes.withExact(trainer.textBytes()));
    if (trainer.streams() > 0) {
      o.printf(Locale.ROOT, "streams:       %,d from %s%n", trainer.streams(), streams);
    }
    o.println("model id:      " + model.idHex());
    o.println("file size:     " + HumanBytes.withExact(fileSize));
    o.printf(Locale.ROOT, "time:          %.1f s%n", nanos / 1e9);
    o.flush();
  }

  private long parseCap(String text) {
    try {
      long n = ByteSizes.parse(text);
      if (n <= 0) {
        throw new IllegalArgumentException("must be more than 0");
      }
      return n;
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--max-bytes " + text + ": " + e.getMessage());
    }
  }

  private static long size(Path f) throws CommandFailure {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "cannot read " + f + ": " + e);
    }
  }
}
