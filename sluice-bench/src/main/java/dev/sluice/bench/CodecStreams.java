package dev.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.demo.DemoTranscripts;
import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes the inputs of {@code bench/codec.sh} from the shared corpus: the training answers as JSON
 * Lines for {@code sluice codec train}, and held-out answers as egress streams for {@code sluice
 * codec bench}, each an OpenAI chat-completion SSE body exactly as the demo upstream frames it
 * ({@link DemoTranscripts}: a role chunk, one chunk per piece of about four characters, a finish
 * chunk, {@code [DONE]}), one file per answer.
 *
 * <pre>
 * OUT/train.jsonl                  {"model","prompt","answer"} of every trainable answer
 * OUT/streams/alpaca-eval/NNNN-MODEL.sse   LIMIT held-out AlpacaEval answers
 * OUT/streams/arena-hard/NNNN-MODEL.sse    every held-out Arena-Hard answer
 * OUT/split.txt                    what was held out and how many
 * </pre>
 *
 * <p>The split is {@link CodecCorpus}'s: prompts by hash (one tenth), and for AlpacaEval also
 * {@value #HELD_OUT_MODELS} whole models. A held-out answer is one whose prompt or model is held
 * out; the AlpacaEval streams are the first LIMIT of those in the order of a hash of model and
 * prompt. OUT must be under a {@code target/} directory: AlpacaEval derivatives are non-commercial
 * and never leave it.
 *
 * <p>{@code java -cp benchmarks.jar dev.sluice.bench.CodecStreams CORPUS_DIR OUT [LIMIT=1000]}
 */
public final class CodecStreams {

  static final int HELD_OUT_MODELS = 3;

  /** Training answers framed as captured streams for {@code codec train --streams}. */
  static final int TUNING_STREAMS = 700;

  private CodecStreams() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: CodecStreams CORPUS_DIR OUT_DIR [ALPACA_STREAMS]");
      System.exit(2);
    }
    Path corpus = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int limit = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    String summary =
        write(
            CodecCorpus.read(corpus.resolve(CodecCorpus.ALPACA_EVAL)),
            CodecCorpus.read(corpus.resolve(CodecCorpus.ARENA_HARD)),
            out,
            limit);
    System.out.print(summary);
  }

  /** Writes everything into {@code out}; returns the summary also written to split.txt. */
  static String write(
      List<CodecCorpus.Answer> alpaca, List<CodecCorpus.Answer> arena, Path out, int limit)
      throws IOException {
    boolean inTarget = false;
    for (Path name : out.toAbsolutePath().normalize()) {
      inTarget |= name.toString().equals("target");
    }
    if (!inTarget) {
      throw new IllegalArgumentException(
          out + " is not under a target/ directory: corpus derivatives stay in target/");
    }
    Set<String> heldOutModels = CodecCorpus.heldOutModels(alpaca, HELD_OUT_MODELS);
    Files.createDirectories(out);
    List<CodecCorpus.Answer> tuning = new ArrayList<>();
    int trained = writeTraining(out.resolve("train.jsonl"), heldOutModels, alpaca, arena, tuning);
    writeStreams(out.resolve("streams/train"), tuning);

    List<CodecCorpus.Answer> alpacaTest = new ArrayList<>();
    for (CodecCorpus.Answer a : alpaca) {
      if (!CodecCorpus.trainable(a, heldOutModels) && !a.text().isEmpty()) {
        alpacaTest.add(a);
      }
    }
    alpacaTest.sort(
        Comparator.comparing(
            (CodecCorpus.Answer a) -> CodecCorpus.fnv1a(a.model() + "\n" + a.prompt()),
            Long::compareUnsigned));
    List<CodecCorpus.Answer> alpacaStreams =
        alpacaTest.subList(0, Math.min(limit, alpacaTest.size()));
    List<CodecCorpus.Answer> arenaStreams =
        arena.stream()
            .filter(a -> CodecCorpus.heldOutPrompt(a.prompt()) && !a.text().isEmpty())
            .toList();
    writeStreams(out.resolve("streams/alpaca-eval"), alpacaStreams);
    writeStreams(out.resolve("streams/arena-hard"), arenaStreams);

    StringWriter s = new StringWriter();
    PrintWriter p = new PrintWriter(s);
    long promptOnly =
        alpacaStreams.stream().filter(a -> !heldOutModels.contains(a.model())).count();
    long modelOnly =
        alpacaStreams.stream().filter(a -> !CodecCorpus.heldOutPrompt(a.prompt())).count();
    p.printf(Locale.ROOT, "held-out AlpacaEval models: %s%n", heldOutModels);
    p.printf(
        Locale.ROOT,
        "tuning streams: %d training answers framed as SSE in %s (not in train.jsonl)%n",
        tuning.size(),
        out.resolve("streams/train"));
    p.printf(
        Locale.ROOT,
        "training: %d answers (%d AlpacaEval, %d Arena-Hard) in %s%n",
        trained,
        alpaca.stream().filter(a -> CodecCorpus.trainable(a, heldOutModels)).count(),
        arena.stream().filter(a -> CodecCorpus.trainable(a, Set.of())).count(),
        out.resolve("train.jsonl"));
    p.printf(
        Locale.ROOT,
        "AlpacaEval streams: %d of %d held out (prompt held out: %d, model held out: %d, both: %d)%n",
        alpacaStreams.size(),
        alpacaTest.size(),
        promptOnly,
        modelOnly,
        alpacaStreams.size() - promptOnly - modelOnly);
    p.printf(
        Locale.ROOT,
        "Arena-Hard streams: %d (prompt held out; its 2 models are in training too)%n",
        arenaStreams.size());
    p.flush();
    Files.writeString(out.resolve("split.txt"), s.toString());
    return s.toString();
  }

  /**
   * Writes the training answers; one in twenty of the trainable answers (at most {@link
   * #TUNING_STREAMS}) goes to {@code tuning} instead, to be framed as the captured streams that
   * {@code codec train --streams} tunes on, so no answer is both counted and tuned on.
   */
  private static int writeTraining(
      Path file,
      Set<String> heldOutModels,
      List<CodecCorpus.Answer> alpaca,
      List<CodecCorpus.Answer> arena,
      List<CodecCorpus.Answer> tuning)
      throws IOException {
    int n = 0;
    try (OutputStream os = Files.newOutputStream(file);
        JsonGenerator g = new JsonFactory().createGenerator(os)) {
      g.setRootValueSeparator(null);
      for (CodecCorpus.Answer a : alpaca) {
        if (CodecCorpus.trainable(a, heldOutModels)) {
          if (tunes(a, tuning)) {
            continue;
          }
          record(g, a);
          n++;
        }
      }
      for (CodecCorpus.Answer a : arena) {
        if (CodecCorpus.trainable(a, Set.of())) {
          if (tunes(a, tuning)) {
            continue;
          }
          record(g, a);
          n++;
        }
      }
    }
    return n;
  }

  /** Takes {@code a} into {@code tuning} if it is one of the one in twenty, while there is room. */
  private static boolean tunes(CodecCorpus.Answer a, List<CodecCorpus.Answer> tuning) {
    if (tuning.size() < TUNING_STREAMS
        && Long.remainderUnsigned(CodecCorpus.fnv1a(a.model() + "\t" + a.prompt()), 20) == 0
        && !a.text().isEmpty()) {
      tuning.add(a);
      return true;
    }
    return false;
  }

  private static void record(JsonGenerator g, CodecCorpus.Answer a) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", a.model());
    g.writeStringField("prompt", a.prompt());
    g.writeStringField("answer", a.text());
    g.writeEndObject();
    g.writeRaw('\n');
  }

  private static void writeStreams(Path dir, List<CodecCorpus.Answer> answers) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    DemoTranscripts demo = new DemoTranscripts(0, ManualClock.at("2026-11-23T00:00:00Z"));
    int i = 0;
    for (CodecCorpus.Answer a : answers) {
      String name = String.format(Locale.ROOT, "%04d-%s.sse", i++, slug(a.model()));
      Files.write(dir.resolve(name), demo.stream(a.model(), a.prompt(), a.text(), false));
    }
  }

  private static String slug(String model) {
    String s = model.replaceAll("[^A-Za-z0-9._-]+", "_");
    return s.isEmpty() ? "model" : s.length() > 60 ? s.substring(0, 60) : s;
  }
}
