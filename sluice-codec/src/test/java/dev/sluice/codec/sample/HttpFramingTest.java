package dev.sluice.codec.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HttpFramingTest {

  private static FamilyStream stream(Family f) {
    return f.build(
        "Short answer. With 😀.",
        Tokenizer.o200k(),
        new SplittableRandom(5),
        SampleOptions.defaults());
  }

  @Test
  void aStreamIsOneChunkPerWriteAfterTheServersHead() {
    FamilyStream s = stream(Family.OLLAMA_CHAT);
    byte[] r = HttpFraming.response(s, SampleOptions.DEFAULT_CREATED);
    String text = new String(r, StandardCharsets.ISO_8859_1);
    int bodyAt = text.indexOf("\r\n\r\n") + 4;
    assertThat(text.substring(0, bodyAt))
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
                + "Date: Mon, 24 Nov 2025 16:53:20 GMT\r\nTransfer-Encoding: chunked\r\n\r\n");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int at = bodyAt;
    int chunks = 0;
    while (true) {
      int eol = text.indexOf("\r\n", at);
      int size = Integer.parseInt(text.substring(at, eol), 16);
      if (size == 0) {
        assertThat(text.substring(eol)).isEqualTo("\r\n\r\n");
        break;
      }
      byte[] chunk = Arrays.copyOfRange(r, eol + 2, eol + 2 + size);
      assertThat(chunk).isEqualTo(s.writes().get(chunks++));
      body.writeBytes(chunk);
      at = eol + 2 + size + 2;
    }
    assertThat(chunks).isEqualTo(s.writes().size());
    assertThat(body.toByteArray()).isEqualTo(s.body());
  }

  @Test
  void aJsonBodyHasItsLength() {
    FamilyStream s = stream(Family.OPENAI_JSON);
    String r = new String(HttpFraming.response(s, 0), StandardCharsets.UTF_8);
    assertThat(r).contains("\r\nContent-Length: " + s.size() + "\r\n");
    assertThat(r).endsWith("\r\n\r\n" + new String(s.body(), StandardCharsets.UTF_8));
  }
}
