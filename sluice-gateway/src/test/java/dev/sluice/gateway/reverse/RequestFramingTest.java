package dev.sluice.gateway.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The framing checks, on what Netty's strict decoder makes of each request. */
class RequestFramingTest {

  private static String problem(String raw) {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new HttpRequestDecoder(
                new HttpDecoderConfig()
                    .setStrictLineParsing(true)
                    .setAllowDuplicateContentLengths(false)));
    ch.writeInbound(Unpooled.copiedBuffer(raw.replace("|", "\r\n"), StandardCharsets.ISO_8859_1));
    HttpRequest req = ch.readInbound();
    String p = RequestFraming.problem(req);
    Object m;
    while ((m = ch.readInbound()) != null) {
      ReferenceCountUtil.release(m);
    }
    ch.finishAndReleaseAll();
    return p;
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "GET / HTTP/1.1|Host: a||; ",
        "POST / HTTP/1.1|Host: a|Content-Length: 2||hi; ",
        "POST / HTTP/1.1|Host: a|Transfer-Encoding: chunked||0||; ",
        "GET / HTTP/1.0||; ",
        "POST / HTTP/1.1|Host: a|Content-Length: 2|Transfer-Encoding: chunked||; malformed",
        "POST / HTTP/1.1|Host: a|Content-Length: 2|Content-Length: 2||hi; malformed",
        "POST / HTTP/1.1|Host: a|Transfer-Encoding: gzip, chunked||; unsupported Transfer-Encoding",
        "POST / HTTP/1.1|Host: a|Content-Length: 2|Connection: Content-Length||hi; Connection names",
        "GET / HTTP/1.1|Host: a|Connection: keep-alive, Transfer-Encoding||; Connection names",
        "GET / HTTP/1.1|Host: a|Connection: host||; Connection names",
        "GET / HTTP/1.1||; missing Host",
        "GET / HTTP/1.1|Host: a|Host: b||; invalid or repeated Host",
        "GET / HTTP/1.2|Host: a||; unsupported HTTP version",
      })
  void framing(String raw, String expected) {
    String p = problem(raw);
    if (expected == null) {
      assertThat(p).isNull();
    } else {
      assertThat(p).startsWith(expected);
    }
  }
}
