package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.demo.AnswerSource;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.DemoUpstream;
import dev.sluice.demo.Pacer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.zip.GZIPInputStream;

/**
 * The SSE origin of {@code bench/compare.sh}: the demo OpenAI-compatible upstream ({@link
 * DemoUpstream}) answering with real LLM answers from a corpus file ({@code
 * ../shared/corpus/*.jsonl.gz}), streamed one o200k token per event and paced like a model ({@code
 * DELAY_MS} between events; 10 ms is about 100 tokens a second). For every server's stream shape at
 * a fixed rate, see {@link dev.sluice.bench.upstream.FamilyUpstream}.
 *
 * <p>Each request gets the answer picked by an FNV-1a hash of its last user message, as {@code
 * sluice-it}'s replay upstream does, so the same prompt sequence gets the same answers whichever
 * proxy it goes through. Runs until killed.
 *
 * <p>{@code java -cp benchmarks.jar dev.sluice.bench.SseUpstream PORT CORPUS_FILE DELAY_MS}
 */
public final class SseUpstream {

  private SseUpstream() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = Integer.parseInt(args[0]);
    Path corpus = Path.of(args[1]);
    long delayMs = Long.parseLong(args[2]);
    List<String> answers = readAnswers(corpus);
    if (answers.isEmpty()) {
      throw new IllegalStateException("no answers in " + corpus);
    }
    AnswerSource source =
        request -> answers.get(indexOf(request.lastUserMessage(), answers.size()));
    DemoOptions options =
        DemoOptions.defaults().withPacer(Pacer.fixedDelay(Duration.ofMillis(delayMs)));
    DemoUpstream upstream = DemoUpstream.start("127.0.0.1", port, source, options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  upstream.close();
                  stopped.countDown();
                }));
    System.out.println(
        "sse upstream on "
            + upstream.baseUrl()
            + ": "
            + answers.size()
            + " answers from "
            + corpus);
    System.out.flush();
    stopped.await();
  }

  /** FNV-1a of the UTF-8 bytes of {@code prompt}, modulo {@code size}. */
  static int indexOf(String prompt, int size) {
    long h = 0xcbf29ce484222325L;
    for (byte b : prompt.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return (int) Long.remainderUnsigned(h, size);
  }

  /**
   * The answers of a corpus file: one JSON object a line with {@code output} (AlpacaEval) or {@code
   * answer} (Arena-Hard).
   */
  static List<String> readAnswers(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> out = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode o = json.readTree(line);
        JsonNode text = o.has("output") ? o.get("output") : o.get("answer");
        if (text != null && text.isTextual() && !text.asText().isEmpty()) {
          out.add(text.asText());
        }
      }
    }
    return out;
  }
}
