package dev.sluice.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The shared corpus of real LLM answers ({@code ../shared/corpus} beside the repository, or {@code
 * -Dsluice.corpus.dir}). Nothing read from it, or derived from it, is ever written outside {@code
 * target/}: the AlpacaEval file is non-commercial (see its README).
 */
final class Corpus {
  static final String ALPACA = "alpaca-eval-outputs.jsonl.gz";
  static final String ARENA_HARD = "arena-hard-answers.jsonl.gz";

  /** One answer: which model gave it, to which instruction or prompt, and its text. */
  record Answer(String model, String prompt, String text) {}

  private Corpus() {}

  static Path dir() {
    String p = System.getProperty("sluice.corpus.dir");
    if (p != null) {
      return Path.of(p);
    }
    // Maven runs tests in the module directory; the corpus is beside the repository.
    return Path.of("").toAbsolutePath().resolve("../../shared/corpus").normalize();
  }

  static boolean present() {
    return Files.isRegularFile(dir().resolve(ARENA_HARD));
  }

  /** Every answer of {@code file}: AlpacaEval's instruction/output, Arena-Hard's prompt/answer. */
  static List<Answer> read(String file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Answer> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(dir().resolve(file))),
                StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = json.readTree(line);
        String prompt =
            n.has("instruction") ? n.get("instruction").asText() : n.get("prompt").asText();
        String text = n.has("output") ? n.get("output").asText() : n.get("answer").asText();
        out.add(new Answer(n.path("model").asText(""), prompt, text));
      }
    }
    return out;
  }
}
