package dev.sluice.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.HeldOut;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import dev.sluice.demo.DemoTranscripts;
import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes the inputs of {@code bench/codec.sh} from the shared corpus: the training answers as JSON
 * Lines for {@code sluice codec train}, training answers framed as the demo upstream streams them
 * for its tuning, and held-out answers as the egress streams of every real server shape ({@link
 * Family}: OpenAI chat, tools and Responses, Anthropic, Ollama, vLLM, TGI, llama.cpp, a Python
 * server, the JSON bodies) plus the demo upstream's own ({@value #DEMO}), one directory per family,
 * one body file per answer and beside it {@code NAME.text}, the answer text in UTF-8, so any tool
 * knows the text bytes of any family.
 *
 * <pre>
 * OUT/train.jsonl                               {"model","prompt","answer"} of every trainable answer
 * OUT/streams/train/NNNN-MODEL.sse              tuning answers, as the demo upstream frames them
 * OUT/streams/alpaca-eval/FAMILY/NNNN-MODEL.EXT  LIMIT held-out AlpacaEval answers, each family
 * OUT/streams/alpaca-eval/FAMILY/NNNN-MODEL.text  the answer text of that stream
 * OUT/streams/arena-hard/FAMILY/...             every held-out Arena-Hard answer, each family
 * OUT/split.txt                                 what was held out and how many
 * </pre>
 *
 * <p>Stream NNNN of family F is built with the seed {@code fnv1a(F + "\n" + NNNN)} and o200k_base
 * tokens, its {@code prompt_tokens} the prompt's token count, so the files are the same on every
 * run. The split is {@link HeldOut}'s: prompts by hash (one tenth), and for AlpacaEval also {@value
 * #HELD_OUT_MODELS} whole models. A held-out answer is one whose prompt or model is held out; the
 * AlpacaEval streams are the first LIMIT of those in the order of a hash of model and prompt. OUT
 * must be under a {@code target/} directory: AlpacaEval derivatives are non-commercial and never
 * leave it.
 *
 * <p>{@code java -cp benchmarks.jar dev.sluice.bench.CodecStreams CORPUS_DIR OUT [LIMIT=1000]}
 */
public final class CodecStreams {

  static final int HELD_OUT_MODELS = HeldOut.HELD_OUT_MODELS;

  /** The directory of the demo upstream's own framing, beside the families'. */
  static final String DEMO = "demo";

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
            HeldOut.read(corpus.resolve(HeldOut.ALPACA_EVAL)),
            HeldOut.read(corpus.resolve(HeldOut.ARENA_HARD)),
            out,
            limit);
    System.out.print(summary);
  }

  /** Writes everything into {@code out}; returns the summary also written to split.txt. */
  static String write(List<HeldOut.Answer> alpaca, List<HeldOut.Answer> arena, Path out, int limit)
      throws IOException {
    boolean inTarget = false;
    for (Path name : out.toAbsolutePath().normalize()) {
      inTarget |= name.toString().equals("target");
    }
    if (!inTarget) {
      throw new IllegalArgumentException(
          out + " is not under a target/ directory: corpus derivatives stay in target/");
    }
    Set<String> heldOutModels = HeldOut.heldOutModels(alpaca, HELD_OUT_MODELS);
    Files.createDirectories(out);
    List<HeldOut.Answer> tuning = new ArrayList<>();
    int trained = writeTraining(out.resolve("train.jsonl"), heldOutModels, alpaca, arena, tuning);
    writeDemoStreams(out.resolve("streams/train"), tuning);

    List<HeldOut.Answer> alpacaTest = new ArrayList<>();
    for (HeldOut.Answer a : alpaca) {
      if (!HeldOut.trainable(a, heldOutModels) && !a.text().isEmpty()) {
        alpacaTest.add(a);
      }
    }
    alpacaTest.sort(
        Comparator.comparing(
            (HeldOut.Answer a) -> HeldOut.fnv1a(a.model() + "\n" + a.prompt()),
            Long::compareUnsigned));
    List<HeldOut.Answer> alpacaStreams = alpacaTest.subList(0, Math.min(limit, alpacaTest.size()));
    List<HeldOut.Answer> arenaStreams =
        arena.stream()
            .filter(a -> HeldOut.heldOutPrompt(a.prompt()) && !a.text().isEmpty())
            .toList();
    writeFamilies(out.resolve("streams/alpaca-eval"), alpacaStreams);
    writeFamilies(out.resolve("streams/arena-hard"), arenaStreams);

    StringWriter s = new StringWriter();
    PrintWriter p = new PrintWriter(s);
    long promptOnly =
        alpacaStreams.stream().filter(a -> !heldOutModels.contains(a.model())).count();
    long modelOnly = alpacaStreams.stream().filter(a -> !HeldOut.heldOutPrompt(a.prompt())).count();
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
        alpaca.stream().filter(a -> HeldOut.trainable(a, heldOutModels)).count(),
        arena.stream().filter(a -> HeldOut.trainable(a, Set.of())).count(),
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
    p.printf(
        Locale.ROOT,
        "families (a directory each, o200k_base tokens): %s, %s%n",
        Arrays.stream(Family.values()).map(Family::id).collect(Collectors.joining(", ")),
        DEMO);
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
      List<HeldOut.Answer> alpaca,
      List<HeldOut.Answer> arena,
      List<HeldOut.Answer> tuning)
      throws IOException {
    int n = 0;
    try (OutputStream os = Files.newOutputStream(file);
        JsonGenerator g = new JsonFactory().createGenerator(os)) {
      g.setRootValueSeparator(null);
      for (HeldOut.Answer a : alpaca) {
        if (HeldOut.trainable(a, heldOutModels)) {
          if (tunes(a, tuning)) {
            continue;
          }
          record(g, a);
          n++;
        }
      }
      for (HeldOut.Answer a : arena) {
        if (HeldOut.trainable(a, Set.of())) {
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
  private static boolean tunes(HeldOut.Answer a, List<HeldOut.Answer> tuning) {
    if (tuning.size() < TUNING_STREAMS
        && Long.remainderUnsigned(HeldOut.fnv1a(a.model() + "\t" + a.prompt()), 20) == 0
        && !a.text().isEmpty()) {
      tuning.add(a);
      return true;
    }
    return false;
  }

  private static void record(JsonGenerator g, HeldOut.Answer a) throws IOException {
    g.writeStartObject();
    g.writeStringField("model", a.model());
    g.writeStringField("prompt", a.prompt());
    g.writeStringField("answer", a.text());
    g.writeEndObject();
    g.writeRaw('\n');
  }

  /** Each answer as the demo upstream streams it, flat in {@code dir} (the trainer's input). */
  private static void writeDemoStreams(Path dir, List<HeldOut.Answer> answers) throws IOException {
    clear(dir);
    DemoTranscripts demo = new DemoTranscripts(0, ManualClock.at("2026-11-23T00:00:00Z"));
    int i = 0;
    for (HeldOut.Answer a : answers) {
      String name = name(i++, a) + ".sse";
      Files.write(dir.resolve(name), demo.stream(a.model(), a.prompt(), a.text(), false));
    }
  }

  /** Each answer in every family's shape, a directory per family, text sidecars beside. */
  private static void writeFamilies(Path setDir, List<HeldOut.Answer> answers) throws IOException {
    clear(setDir);
    Tokenizer tokenizer = Tokenizer.o200k();
    int[] promptTokens = answers.stream().mapToInt(a -> tokenizer.count(a.prompt())).toArray();
    for (Family f : Family.values()) {
      Path dir = setDir.resolve(f.id());
      Files.createDirectories(dir);
      for (int i = 0; i < answers.size(); i++) {
        HeldOut.Answer a = answers.get(i);
        SampleOptions options =
            SampleOptions.defaults()
                .withCreated(SampleOptions.DEFAULT_CREATED + 37L * i)
                .withPromptTokens(promptTokens[i]);
        SplittableRandom random = new SplittableRandom(HeldOut.fnv1a(f.id() + "\n" + i));
        FamilyStream s = f.build(a.text(), tokenizer, random, options);
        String name = name(i, a);
        Files.write(dir.resolve(name + f.extension()), s.body());
        Files.writeString(dir.resolve(name + ".text"), a.text(), StandardCharsets.UTF_8);
      }
    }
    Path demoDir = setDir.resolve(DEMO);
    writeDemoStreams(demoDir, answers);
    int i = 0;
    for (HeldOut.Answer a : answers) {
      Files.writeString(demoDir.resolve(name(i++, a) + ".text"), a.text(), StandardCharsets.UTF_8);
    }
  }

  /** Empties {@code dir} (a stream directory this class wrote), creating it if needed. */
  private static void clear(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> old = Files.walk(dir)) {
        for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
          if (!p.equals(dir)) {
            Files.delete(p);
          }
        }
      }
    }
    Files.createDirectories(dir);
  }

  private static String name(int i, HeldOut.Answer a) {
    return String.format(Locale.ROOT, "%04d-%s", i, slug(a.model()));
  }

  private static String slug(String model) {
    String s = model.replaceAll("[^A-Za-z0-9._-]+", "_");
    return s.isEmpty() ? "model" : s.length() > 60 ? s.substring(0, 60) : s;
  }
}
