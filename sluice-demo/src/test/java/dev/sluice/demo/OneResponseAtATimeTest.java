package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

class OneResponseAtATimeTest {

  private static FullHttpRequest request(String uri) {
    return new DefaultFullHttpRequest(
        HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.copiedBuffer(new byte[] {1, 2}));
  }

  @Test
  void holdsTheNextRequestUntilTheResponseEnds() {
    EmbeddedChannel ch = new EmbeddedChannel(new OneResponseAtATime());
    FullHttpRequest a = request("/a");
    FullHttpRequest b = request("/b");
    ch.writeInbound(a, b);
    assertThat(ch.<Object>readInbound()).isSameAs(a);
    assertThat(ch.<Object>readInbound()).isNull();
    assertThat(ch.config().isAutoRead()).isFalse();

    ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    assertThat(ch.<Object>readInbound()).isNull();
    ch.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(ch.<Object>readInbound()).isSameAs(b);
    assertThat(ch.config().isAutoRead()).isFalse();

    ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    assertThat(ch.config().isAutoRead()).isTrue();
    a.release();
    b.release();
    ch.finishAndReleaseAll();
  }

  @Test
  void releasesWaitingRequestsWhenTheConnectionCloses() {
    EmbeddedChannel ch = new EmbeddedChannel(new OneResponseAtATime());
    FullHttpRequest a = request("/a");
    FullHttpRequest b = request("/b");
    ch.writeInbound(a, b);
    assertThat(ch.<Object>readInbound()).isSameAs(a);
    ch.close();
    assertThat(b.refCnt()).isZero();
    assertThat(a.refCnt()).isEqualTo(1);
    a.release();
    ch.finishAndReleaseAll();
  }
}
