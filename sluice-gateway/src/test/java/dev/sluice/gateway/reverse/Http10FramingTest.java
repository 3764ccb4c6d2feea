package dev.sluice.gateway.reverse;

import static dev.sluice.gateway.reverse.ReverseProxyHandlerTest.client;
import static dev.sluice.gateway.reverse.ReverseProxyHandlerTest.install;
import static dev.sluice.gateway.reverse.ReverseProxyHandlerTest.settle;
import static dev.sluice.gateway.reverse.ReverseProxyHandlerTest.written;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.Stages;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 9112 framing toward clients of either version (issue 15, item 4): an upstream's HTTP/1.0
 * response without a length reaches an HTTP/1.1 client as HTTP/1.1 with chunked framing (it went
 * out as {@code HTTP/1.0 200} with {@code transfer-encoding: chunked}); an HTTP/1.0 client never
 * gets chunk framing inside its body: a body of unknown length is sent as it comes and the
 * connection closed after it.
 */
class Http10FramingTest {

  @TempDir Path dir;

  /**
   * Sends {@code request} through a reverse listener whose upstream answers with {@code head} and
   * the body {@code hello world} in two pieces; returns what the client received.
   */
  private String exchange(String request, HttpResponse head, EmbeddedChannel[] clientOut)
      throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      UpstreamPool pool = new UpstreamPool();
      UpstreamTargets.Target target = new UpstreamTargets(f.lc.config().upstreams()).next();
      EmbeddedChannel upstream = new EmbeddedChannel();
      upstream.pipeline().addLast(Stages.RELAY, new UpstreamHandler(null, pool, target));
      pool.release(upstream, target);
      EmbeddedChannel ch = client(upstream.eventLoop());
      clientOut[0] = ch;
      ConnectionRecord record = f.record();
      ReverseProxyHandler proxy = install(ch, f, pool, record);
      ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
      settle(() -> proxy.phase() == ExchangePhase.AWAITING, ch, upstream);
      FullHttpRequest sent = upstream.readOutbound();
      assertThat(sent.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1); // the gateway's own
      sent.release();
      upstream.writeInbound(head);
      upstream.writeInbound(
          new DefaultHttpContent(Unpooled.copiedBuffer("hello ", StandardCharsets.US_ASCII)));
      upstream.writeInbound(
          new DefaultLastHttpContent(Unpooled.copiedBuffer("world", StandardCharsets.US_ASCII)));
      settle(() -> proxy.phase() == ExchangePhase.IDLE || !ch.isActive(), ch, upstream);
      String out = written(ch);
      upstream.finishAndReleaseAll();
      return out;
    }
  }

  private static HttpResponse http10Head() {
    // An HTTP/1.0 server without Content-Length: the body ends when it closes.
    return new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK);
  }

  private static HttpResponse chunkedHead() {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    return r;
  }

  @Test
  void anHttp10UpstreamReachesAnHttp11ClientAsHttp11Chunked() throws Exception {
    EmbeddedChannel[] ch = new EmbeddedChannel[1];
    String out =
        exchange(
            "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: default\r\n\r\n", http10Head(), ch);
    assertThat(out).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(out.toLowerCase(Locale.ROOT)).contains("transfer-encoding: chunked");
    assertThat(out).endsWith("6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n");
    ch[0].finishAndReleaseAll();
  }

  @Test
  void anHttp10ClientGetsNoChunksAndTheConnectionClosesAfterTheBody() throws Exception {
    for (HttpResponse head : new HttpResponse[] {http10Head(), chunkedHead()}) {
      EmbeddedChannel[] ch = new EmbeddedChannel[1];
      String out =
          exchange(
              "GET /v1/models HTTP/1.0\r\nHost: gw\r\nX-Tenant: default\r\n"
                  + "Connection: keep-alive\r\n\r\n",
              head,
              ch);
      String lower = out.toLowerCase(Locale.ROOT);
      assertThat(out).startsWith("HTTP/1.1 200 OK\r\n");
      assertThat(lower).doesNotContain("transfer-encoding");
      assertThat(lower).doesNotContain("keep-alive");
      assertThat(out).endsWith("\r\n\r\nhello world");
      assertThat(ch[0].isOpen()).as("closed after a close-delimited body").isFalse();
      ch[0].finishAndReleaseAll();
    }
  }
}
