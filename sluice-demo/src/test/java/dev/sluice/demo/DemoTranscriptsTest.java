package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.ManualClock;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A transcript is byte for byte the body the demo server sends for the same seed and clock. */
@Timeout(30)
class DemoTranscriptsTest {
  private final GeneratedAnswers answers = new GeneratedAnswers(5);
  private final ManualClock clock = ManualClock.at("2026-11-23T04:00:00Z");
  private DemoUpstream upstream;

  @AfterEach
  void close() {
    if (upstream != null) {
      upstream.close();
    }
  }

  private RawResponse ask(Socket s, String prompt, String options) throws IOException {
    s.getOutputStream()
        .write(
            DemoPipelineTest.chat(
                    "{\"model\":\"m\""
                        + options
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                        + prompt
                        + "\"}]}")
                .getBytes(StandardCharsets.UTF_8));
    return RawResponse.read(new BufferedInputStream(s.getInputStream()));
  }

  @Test
  void streamsAndBodiesEqualWhatTheServerSends() throws IOException {
    upstream =
        DemoUpstream.start(
            "127.0.0.1", 0, answers, DemoOptions.defaults().withSeed(42).withClock(clock));
    DemoTranscripts transcripts = new DemoTranscripts(42, clock);
    try (Socket s = new Socket(upstream.address().getAddress(), upstream.address().getPort())) {
      s.setSoTimeout(10_000);
      String p1 = "write 3 kB about canals";
      String p2 = "a short one, 200 bytes";
      String p3 = "and 1 kB not streamed";
      RawResponse plain = ask(s, p1, ",\"stream\":true");
      RawResponse withUsage =
          ask(s, p2, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
      RawResponse body = ask(s, p3, "");

      assertThat(transcripts.stream("m", p1, answer(p1), false)).isEqualTo(plain.body());
      assertThat(transcripts.stream("m", p2, answer(p2), true)).isEqualTo(withUsage.body());
      assertThat(transcripts.completion("m", p3, answer(p3))).isEqualTo(body.body());
    }
  }

  @Test
  void anEmptyAnswerIsARoleAFinishAndDone() {
    String s =
        new String(
            new DemoTranscripts(1, clock).stream("m", "", "", false), StandardCharsets.UTF_8);
    assertThat(SseEvents.split(s.getBytes(StandardCharsets.UTF_8))).hasSize(3);
    assertThat(s).endsWith("data: [DONE]\n\n");
  }

  private String answer(String prompt) {
    return answers.answer(Requests.user(prompt, ""));
  }
}
