package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * Real LLM answers from the shared corpus ({@code ../shared/corpus/*.jsonl.gz} beside the
 * repository, see its README), for tests only: the AlpacaEval part is CC BY-NC and must never ship
 * or be committed, not even as an excerpt.
 *
 * <p>Each file is one JSON object a line: {@code instruction} and {@code output} (AlpacaEval), or
 * {@code prompt} and {@code answer} (Arena-Hard), plus {@code model}. Answers are split into train
 * and test by a hash of the prompt, not by record, because many models answered the same prompts: a
 * model trained on one split never saw the other's prompts. Files are read once per JVM.
 */
final class CorpusAnswers {

  /** The AlpacaEval answers of 23 models (CC BY-NC 4.0: internal testing only). */
  static final String ALPACA_EVAL = "alpaca-eval-outputs.jsonl.gz";

  /** Arena-Hard prompts with GPT-3.5/GPT-4 answers (Apache-2.0); code-heavy. */
  static final String ARENA_HARD = "arena-hard-answers.jsonl.gz";

  /** Percent of prompts in the test split. */
  static final int TEST_PERCENT = 20;

  enum Split {
    TRAIN,
    TEST
  }

  /** One answer of one model to one prompt. */
  record Answer(String file, String model, String prompt, String text) {
    Answer {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(prompt, "prompt");
      Objects.requireNonNull(text, "text");
    }

    Split split() {
      return splitOf(prompt);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, List<Answer>> LOADED = new ConcurrentHashMap<>();

  private CorpusAnswers() {}

  /** The corpus directory: {@code -Dsluice.corpus.dir}, else {@code ../shared/corpus}. */
  static Path directory() {
    String configured = System.getProperty("sluice.corpus.dir");
    if (configured != null) {
      return Path.of(configured);
    }
    return RepoRoot.get().resolve("../shared/corpus").normalize();
  }

  /** Every answer of {@code file} (one of the constants), in file order. */
  static List<Answer> load(String file) {
    return LOADED.computeIfAbsent(file, f -> read(directory().resolve(f)));
  }

  /** The answers of {@code file} whose prompt falls in {@code split}. */
  static List<Answer> load(String file, Split split) {
    List<Answer> out = new ArrayList<>();
    for (Answer a : load(file)) {
      if (a.split() == split) {
        out.add(a);
      }
    }
    return out;
  }

  /** Which split a prompt belongs to: the first 8 bytes of its SHA-256, modulo 100. */
  static Split splitOf(String prompt) {
    byte[] h = sha256(prompt.getBytes(StandardCharsets.UTF_8));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[i] & 0xff);
    }
    return Long.remainderUnsigned(v, 100) < TEST_PERCENT ? Split.TEST : Split.TRAIN;
  }

  static List<Answer> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "corpus file "
              + file
              + " is missing: the tests read the shared corpus from ../shared/corpus beside the"
              + " repository (see shared/corpus/README.md); set -Dsluice.corpus.dir=DIR to use"
              + " another copy");
    }
    String name = file.getFileName().toString();
    List<Answer> out = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.UTF_8))) {
      int lineNo = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNo++;
        if (!line.isBlank()) {
          out.add(answer(name, lineNo, JSON.readTree(line)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read corpus file " + file, e);
    }
    return List.copyOf(out);
  }

  private static Answer answer(String file, int lineNo, JsonNode o) {
    String prompt = text(o, "instruction", "prompt");
    String text = text(o, "output", "answer");
    if (prompt == null || text == null) {
      List<String> fields = new ArrayList<>();
      o.fieldNames().forEachRemaining(fields::add);
      throw new IllegalStateException(
          file + ":" + lineNo + ": needs instruction/output or prompt/answer, has " + fields);
    }
    JsonNode model = o.get("model");
    return new Answer(file, model == null ? "" : model.asText(), prompt, text);
  }

  private static String text(JsonNode o, String a, String b) {
    JsonNode v = o.has(a) ? o.get(a) : o.get(b);
    return v == null || !v.isTextual() ? null : v.asText();
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
