package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * The corpus of real answers ({@code ../shared/corpus}) as the codec benchmarks split it into
 * training and held-out answers, so that a model is measured on answers of models and prompts it
 * was not trained on:
 *
 * <ul>
 *   <li>by prompt: an answer is held out when the FNV-1a hash of its instruction or prompt falls in
 *       one tenth ({@link #heldOutPrompt}); every model answered the same AlpacaEval instructions,
 *       so splitting by record would train on the very prompts it tests;
 *   <li>by model (AlpacaEval only, which has 23 models): the {@link #heldOutModels} chosen by the
 *       hash of their names are held out whole.
 * </ul>
 *
 * Training gets every answer that is neither. Nothing derived from the AlpacaEval file may be
 * written outside {@code target/} (CC BY-NC 4.0: see the corpus README).
 */
final class CodecCorpus {

  static final String ALPACA_EVAL = "alpaca-eval-outputs.jsonl.gz";
  static final String ARENA_HARD = "arena-hard-answers.jsonl.gz";

  /** One answer: the model that gave it, the instruction or prompt, the text. */
  record Answer(String model, String prompt, String text) {}

  private CodecCorpus() {}

  /** Every answer of a corpus file: AlpacaEval's instruction/output, Arena-Hard's prompt/answer. */
  static List<Answer> read(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.UTF_8))) {
      return in.lines()
          .filter(l -> !l.isBlank())
          .map(
              l -> {
                try {
                  JsonNode o = json.readTree(l);
                  return new Answer(
                      o.path("model").asText(""),
                      o.has("instruction")
                          ? o.get("instruction").asText()
                          : o.path("prompt").asText(),
                      o.has("output") ? o.get("output").asText() : o.path("answer").asText());
                } catch (IOException e) {
                  throw new IllegalArgumentException(file + ": a line is not JSON", e);
                }
              })
          .toList();
    }
  }

  /** 64-bit FNV-1a of the UTF-8 bytes of {@code s}. */
  static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  /** True for the tenth of prompts that are never trained on. */
  static boolean heldOutPrompt(String prompt) {
    return Long.remainderUnsigned(fnv1a(prompt), 10) == 0;
  }

  /** The {@code n} models whose names hash lowest: never trained on. */
  static Set<String> heldOutModels(Collection<Answer> answers, int n) {
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
  static boolean trainable(Answer a, Set<String> heldOutModels) {
    return !heldOutPrompt(a.prompt()) && !heldOutModels.contains(a.model());
  }
}
