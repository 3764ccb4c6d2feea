package dev.sluice.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible inference API on loopback, for {@code sluice demo} and end-to-end tests: the
 * upstream that a Sluice reverse listener sits in front of.
 *
 * <p>Serves HTTP/1.1 with keep-alive and pipelining:
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: a {@code chat.completion} object with a {@code
 *       Content-Length}, or with {@code "stream": true} a chunked {@code text/event-stream} of
 *       {@code chat.completion.chunk} events, each written and flushed as it is produced, paced by
 *       {@link DemoOptions#pacer()}, ending with {@code data: [DONE]}. {@code
 *       stream_options.include_usage} adds a usage chunk; {@code max_tokens} cuts the answer.
 *   <li>{@code GET /v1/models}: the configured model ids.
 *   <li>Anything else: OpenAI's error body with {@code 404}, {@code 405} or, for a body that is not
 *       a valid request, {@code 400}.
 * </ul>
 *
 * <p>The text of each answer comes from an {@link AnswerSource}; content is cut where OpenAI's
 * o200k_base BPE tokenizer cuts it (jtokkit), one token per chunk, whole UTF-8 characters per
 * chunk, as a real server streams it. Token counts in {@code usage} and {@code max_tokens} are in
 * those tokens.
 *
 * <p>One event-loop thread serves every connection; nothing blocks it. Thread-safe; {@link #close}
 * is idempotent.
 */
public final class DemoUpstream implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DemoUpstream.class);

  private final EventLoopGroup group;
  private final Channel server;
  private final ChannelGroup connections;

  private DemoUpstream(EventLoopGroup group, Channel server, ChannelGroup connections) {
    this.group = group;
    this.server = server;
    this.connections = connections;
  }

  /**
   * Binds and starts serving.
   *
   * @param host the address to bind, normally {@code 127.0.0.1}
   * @param port the port, or 0 for any free port ({@link #address()} tells which)
   * @throws UncheckedIOException if the address cannot be bound
   */
  public static DemoUpstream start(
      String host, int port, AnswerSource source, DemoOptions options) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(options, "options");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    // The vocabulary loads once, here, rather than on the event loop at the first request.
    Completion.tokenizer();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("sluice-demo-upstream", true), NioIoHandler.newFactory());
    // Closing the event loops does not reliably close accepted sockets; close them ourselves.
    ChannelGroup connections = new DefaultChannelGroup("demo-upstream", group.next());
    ChannelFuture bound =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(DemoPipeline.of(source, options, connections))
            .bind(host, port)
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      IOException cause =
          new IOException(
              "demo upstream cannot bind " + host + ":" + port + ": " + bound.cause(),
              bound.cause());
      throw new UncheckedIOException(cause);
    }
    DemoUpstream upstream = new DemoUpstream(group, bound.channel(), connections);
    log.info("demo upstream listening on {}", upstream.baseUrl());
    return upstream;
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** The OpenAI base URL of this server, {@code http://HOST:PORT/v1}. */
  public String baseUrl() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    if (host.indexOf(':') >= 0) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + a.getPort() + "/v1";
  }

  /** Stops listening and closes every accepted connection, waiting at most a few seconds. */
  @Override
  public void close() {
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
