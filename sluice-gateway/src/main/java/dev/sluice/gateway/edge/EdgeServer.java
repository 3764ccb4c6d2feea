package dev.sluice.gateway.edge;

import dev.sluice.codec.CodecModel;
import dev.sluice.gateway.Gateway;
import dev.sluice.gateway.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * {@code sluice edge}: accepts client connections on one address and carries each over its own edge
 * link to a gateway listener with {@code peer: edge} ({@link EdgeConnection}), restoring the
 * compressed responses byte for byte. Outside the boundary, so it charges nothing and trusts the
 * gateway only as far as the link's checks go: a stream that fails them never reaches a client.
 */
public final class EdgeServer implements AutoCloseable {

  /**
   * Where and how to reach the gateway.
   *
   * @param tls TLS toward the gateway (the gateway's CA), or null for plain TCP
   * @param serverName the name the gateway's certificate must carry (with TLS)
   */
  public record Upstream(String host, int port, SslContext tls, String serverName) {}

  private final EventLoopGroup group;
  private final Channel server;

  private EdgeServer(EventLoopGroup group, Channel server) {
    this.group = group;
    this.server = server;
  }

  /** Binds {@code listen} and serves until {@link #close}; IllegalStateException if it cannot. */
  public static EdgeServer start(
      InetSocketAddress listen, Upstream gateway, CodecModel model, Transport transport) {
    EventLoopGroup group = transport.newGroup(0);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.SO_RCVBUF, Gateway.RECEIVE_BUFFER)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel client) {
                    EdgeConnection c = new EdgeConnection(model, client);
                    client.pipeline().addLast("client", c.new ClientHandler());
                    connect(c, client, gateway, transport);
                  }
                });
    ChannelFuture f = b.bind(listen).awaitUninterruptibly();
    if (!f.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException(String.valueOf(f.cause().getMessage()), f.cause());
    }
    return new EdgeServer(group, f.channel());
  }

  private static void connect(
      EdgeConnection c, Channel client, Upstream gateway, Transport transport) {
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel link) {
                    ChannelPipeline p = link.pipeline();
                    if (gateway.tls() != null) {
                      SSLEngine engine =
                          gateway
                              .tls()
                              .newEngine(link.alloc(), gateway.serverName(), gateway.port());
                      SSLParameters params = engine.getSSLParameters();
                      params.setEndpointIdentificationAlgorithm("HTTPS");
                      engine.setSSLParameters(params);
                      p.addLast("tls", new SslHandler(engine));
                    }
                    p.addLast("link-codec", new LinkFrameCodec(LinkSide.EDGE));
                    p.addLast("link", c.new LinkHandler());
                  }
                });
    b.connect(gateway.host(), gateway.port())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    c.linkUp(f.channel());
                  } else {
                    c.linkFailed(f.cause());
                  }
                });
  }

  /** The bound address (with the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
