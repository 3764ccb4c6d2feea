package dev.sluice.codec.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * The shared corpus of real answers ({@code ../shared/corpus/*.jsonl.gz}) and the one split into
 * training and held-out answers that the trainer, the benches, the demo and the tests all use, so
 * that a model is measured on answers of prompts and models it was not trained on:
 *
 * <ul>
 *   <li>by prompt: an answer is held out when the 64-bit FNV-1a hash of the UTF-8 of its
 *       instruction or prompt is 0 modulo 10 ({@link #heldOutPrompt}); every AlpacaEval model
 *       answered the same instructions, so a split by record would train on the tested prompts;
 *   <li>by model (AlpacaEval, 23 models): the {@link #HELD_OUT_MODELS} models whose names hash
 *       lowest are held out whole ({@link #heldOutModels}).
 * </ul>
 *
 * This is the split {@code bench/codec.sh} has used since the codec's first figures, unchanged, so
 * earlier figures stay comparable. Nothing derived from the AlpacaEval file (CC BY-NC 4.0) may be
 * written outside a {@code target/} directory: see the corpus README.
 */
public final class HeldOut {
  public static final String ALPACA_EVAL = "alpaca-eval-outputs.jsonl.gz";
  public static final String ARENA_HARD = "arena-hard-answers.jsonl.gz";
  public static final int HELD_OUT_MODELS = 3;

  private static final Set<String> FIELDS =
      Set.of("model", "instruction", "prompt", "output", "answer");

  /** One answer: the model that gave it, the instruction or prompt, the text. */
  public record Answer(String model, String prompt, String text) {}

  private HeldOut() {}

  /**
   * The corpus directory: {@code -Dsluice.corpus.dir}, else the first {@code shared/corpus} found
   * in {@code from} or one of its ancestors (the corpus lies beside the repositories).
   */
  public static Path corpusDir(Path from) {
    String p = System.getProperty("sluice.corpus.dir");
    if (p != null) {
      return Path.of(p);
    }
    for (Path d = from.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
      Path c = d.resolve("shared/corpus");
      if (Files.isDirectory(c)) {
        return c;
      }
    }
    return from.toAbsolutePath().normalize().resolve("../shared/corpus").normalize();
  }

  /**
   * Every answer of a corpus file, in file order: AlpacaEval's {@code instruction}/{@code output},
   * Arena-Hard's {@code prompt}/{@code answer}, and {@code model}. A lone UTF-16 surrogate in an
   * answer (no UTF-8 has one) becomes U+FFFD; prompts are kept as they are, since they are hashed.
   *
   * @throws IOException naming the file and line of a line that is not a JSON object
   */
  public static List<Answer> read(Path file) throws IOException {
    List<Answer> out = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.UTF_8))) {
      int n = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        Map<String, String> f;
        try {
          f = JsonFields.read(line, FIELDS);
        } catch (IllegalArgumentException e) {
          throw new IOException(file + ": line " + n + ": " + e.getMessage(), e);
        }
        String prompt = f.containsKey("instruction") ? f.get("instruction") : f.get("prompt");
        String text = f.containsKey("output") ? f.get("output") : f.get("answer");
        out.add(
            new Answer(
                f.getOrDefault("model", ""),
                prompt == null ? "" : prompt,
                text == null ? "" : wellFormed(text)));
      }
    }
    return out;
  }

  /** 64-bit FNV-1a of the UTF-8 bytes of {@code s}. */
  public static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  /** True for the tenth of prompts that are never trained on. */
  public static boolean heldOutPrompt(String prompt) {
    return Long.remainderUnsigned(fnv1a(prompt), 10) == 0;
  }

  /** The {@code n} models whose names hash lowest (ties by name): never trained on. */
  public static Set<String> heldOutModels(Collection<Answer> answers, int n) {
    return answers.stream()
        .map(Answer::model)
        .distinct()
        .sorted(
            Comparator.comparing((String m) -> fnv1a(m), Long::compareUnsigned)
                .thenComparing(Comparator.naturalOrder()))
        .limit(n)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** True if {@code a} may be trained on: neither its prompt nor its model is held out. */
  public static boolean trainable(Answer a, Set<String> heldOutModels) {
    return !heldOutPrompt(a.prompt()) && !heldOutModels.contains(a.model());
  }

  /** The held-out answers of {@code answers} with text, in their order. */
  public static List<Answer> heldOut(List<Answer> answers, Set<String> heldOutModels) {
    return answers.stream()
        .filter(a -> !trainable(a, heldOutModels) && !a.text().isEmpty())
        .toList();
  }

  private static String wellFormed(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1));
      if (pair) {
        if (b != null) {
          b.append(c).append(s.charAt(i + 1));
        }
        i++;
      } else if (Character.isSurrogate(c)) {
        if (b == null) {
          b = new StringBuilder(s.length()).append(s, 0, i);
        }
        b.append('\uFFFD');
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }
}
