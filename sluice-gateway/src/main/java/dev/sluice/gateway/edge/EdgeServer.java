package dev.sluice.gateway.edge;

import dev.sluice.codec.CodecModel;
import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.time.Clock;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sluice edge}: accepts client connections and carries each as a stream of one of a few
 * long-lived, multiplexed links to a gateway listener with {@code peer: edge} ({@link EdgeMux}),
 * restoring the compressed responses byte for byte. One event loop per link ({@code links}, default
 * 1): a client is carried by the link of the event loop it was accepted on, so a link and its
 * clients never share state across threads. A link that is not ready yet, or that goes away
 * (GOAWAY, failure), is replaced; clients that arrive meanwhile wait for it. Outside the boundary,
 * so it charges nothing and trusts the gateway only as far as the link's checks go.
 *
 * <p>{@link #close}: stop accepting, GOAWAY on every link, let the streams finish (up to 10 s),
 * then close.
 */
public final class EdgeServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("sluice.edge");

  /**
   * Where and how to reach the gateway.
   *
   * @param tls TLS toward the gateway (the gateway's CA), or null for plain TCP
   * @param serverName the name the gateway's certificate must carry (with TLS)
   */
  public record Upstream(String host, int port, SslContext tls, String serverName) {}

  private final EventLoopGroup group;
  private final Channel server;
  private final Map<EventExecutor, Slot> slots;

  private EdgeServer(EventLoopGroup group, Channel server, Map<EventExecutor, Slot> slots) {
    this.group = group;
    this.server = server;
    this.slots = slots;
  }

  /** Binds {@code listen} with one link; IllegalStateException if it cannot. */
  public static EdgeServer start(
      InetSocketAddress listen, Upstream gateway, CodecModel model, Transport transport) {
    return start(listen, gateway, model, transport, 1);
  }

  /** Binds {@code listen} and serves through {@code links} links until {@link #close}. */
  public static EdgeServer start(
      InetSocketAddress listen,
      Upstream gateway,
      CodecModel model,
      Transport transport,
      int links) {
    if (links < 1 || links > 64) {
      throw new IllegalArgumentException("links must be 1..64, not " + links);
    }
    EventLoopGroup group = transport.newGroup(links);
    Map<EventExecutor, Slot> slots = new IdentityHashMap<>();
    for (EventExecutor e : group) {
      slots.put(e, new Slot((EventLoop) e, gateway, model, transport));
    }
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.SO_RCVBUF, Transport.RECEIVE_BUFFER)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel client) {
                    slots.get(client.eventLoop()).attach(client);
                  }
                });
    ChannelFuture f = b.bind(listen).awaitUninterruptibly();
    if (!f.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException(String.valueOf(f.cause().getMessage()), f.cause());
    }
    for (Slot s : slots.values()) {
      s.loop.execute(s::connect); // links come up before the first client
    }
    return new EdgeServer(group, f.channel(), slots);
  }

  /** The bound address (with the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  private boolean closed;

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    List<io.netty.util.concurrent.Future<?>> closing = new ArrayList<>();
    for (Slot s : slots.values()) {
      closing.add(s.loop.submit(s::drain));
    }
    for (var f : closing) {
      f.awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
    for (Slot s : slots.values()) {
      s.awaitClosed(10_000);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** The link of one event loop and the clients waiting for it. Used on that loop only. */
  private static final class Slot implements EdgeMux.Pool {
    final EventLoop loop;
    final Upstream gateway;
    final CodecModel model;
    final Transport transport;
    final ArrayDeque<Channel> waiting = new ArrayDeque<>();
    final List<Channel> links = new ArrayList<>();
    EdgeMux current;
    boolean connecting;
    boolean closing;
    int failures;

    Slot(EventLoop loop, Upstream gateway, CodecModel model, Transport transport) {
      this.loop = loop;
      this.gateway = gateway;
      this.model = model;
      this.transport = transport;
    }

    void attach(Channel client) {
      if (closing) {
        client.close();
        return;
      }
      if (current == null || !current.attach(client)) {
        waiting.add(client);
        client.closeFuture().addListener(f -> waiting.remove(client));
        connect();
      }
    }

    void connect() {
      if (connecting || closing || current != null && current.usable()) {
        return;
      }
      connecting = true;
      Bootstrap b =
          new Bootstrap()
              .group(loop)
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
                      p.addLast("mux-codec", new MuxFrameCodec(LinkSide.EDGE, true));
                      p.addLast(
                          "mux",
                          new EdgeMux(model, gateway.tls() != null, Slot.this, Clock.system()));
                    }
                  });
      b.connect(gateway.host(), gateway.port())
          .addListener(
              (ChannelFuture f) -> {
                connecting = false;
                if (f.isSuccess()) {
                  links.add(f.channel());
                  f.channel().closeFuture().addListener(x -> links.remove(f.channel()));
                  current = f.channel().pipeline().get(EdgeMux.class);
                } else {
                  failures++;
                  log.warn(
                      "cannot connect to the gateway {}:{}: {}",
                      gateway.host(),
                      gateway.port(),
                      LogValue.of(f.cause().getMessage()));
                  abortWaiting("cannot connect to the gateway: " + f.cause().getMessage());
                }
              });
    }

    @Override
    public void ready(EdgeMux mux) {
      failures = 0;
      if (mux != current) {
        return;
      }
      Channel c;
      while ((c = waiting.poll()) != null) {
        if (c.isActive() && !mux.attach(c)) {
          waiting.addFirst(c);
          break;
        }
      }
    }

    @Override
    public void gone(EdgeMux mux) {
      if (mux == current) {
        current = null;
        if (!waiting.isEmpty()) {
          abortWaiting("the link to the gateway failed before it carried the client");
        }
      }
    }

    private void abortWaiting(String why) {
      Channel c;
      while ((c = waiting.poll()) != null) {
        log.warn("client {} aborted: {}", c.remoteAddress(), LogValue.of(why));
        if (c.isActive()) {
          c.config().setOption(ChannelOption.SO_LINGER, 0);
          c.close();
        }
      }
    }

    void drain() {
      closing = true;
      abortWaiting("the edge is stopping");
      for (Channel l : new ArrayList<>(links)) {
        EdgeMux m = l.pipeline().get(EdgeMux.class);
        if (m != null) {
          m.drain();
        } else {
          l.close();
        }
      }
    }

    void awaitClosed(long millis) {
      for (Channel l : new ArrayList<>(links)) {
        if (!l.closeFuture().awaitUninterruptibly(millis)) {
          l.close().awaitUninterruptibly(1000);
        }
      }
    }
  }
}
