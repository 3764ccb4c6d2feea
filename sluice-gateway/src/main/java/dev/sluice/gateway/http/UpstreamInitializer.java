package dev.sluice.gateway.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;

/** The pipeline of a connection to an upstream: optional TLS, the HTTP client codec, the relay. */
final class UpstreamInitializer extends ChannelInitializer<SocketChannel> {

  private final ReverseProxyHandler client;
  private final UpstreamPool pool;
  private final UpstreamTargets.Target target;
  private final SslContext tls;

  UpstreamInitializer(
      ReverseProxyHandler client,
      UpstreamPool pool,
      UpstreamTargets.Target target,
      SslContext tls) {
    this.client = client;
    this.pool = pool;
    this.target = target;
    this.tls = tls;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    if (target.tls()) {
      p.addLast("tls", tls.newHandler(ch.alloc(), target.host(), target.port()));
    }
    p.addLast(
        "http",
        new HttpClientCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(32 * 1024)
                .setMaxChunkSize(64 * 1024),
            false,
            false));
    p.addLast("relay", new UpstreamHandler(client, pool, target));
  }
}
