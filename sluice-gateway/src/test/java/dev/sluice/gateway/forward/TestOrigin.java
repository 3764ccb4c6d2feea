package dev.sluice.gateway.forward;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A destination for forward-proxy tests on loopback. It counts every byte it receives (what the
 * gateway wrote toward the outside) and every connection. In HTTP mode (optionally over TLS) it
 * answers each request with {@code METHOD URI host=HOST auth=PROXY_AUTHORIZATION len=N} followed by
 * the body; in echo mode it sends back the bytes it receives.
 */
final class TestOrigin implements AutoCloseable {

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final AtomicLong received = new AtomicLong();
  private final AtomicInteger connections = new AtomicInteger();
  private final List<ChannelFuture> closeFutures = Collections.synchronizedList(new ArrayList<>());
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  private TestOrigin(boolean http, SslContext tls) {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.incrementAndGet();
                    closeFutures.add(ch.closeFuture());
                    ch.pipeline().addLast(new Counter());
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    if (http) {
                      ch.pipeline().addLast(new HttpServerCodec());
                      ch.pipeline().addLast(new HttpObjectAggregator(1 << 20));
                      ch.pipeline().addLast(new Answer());
                    } else {
                      ch.pipeline().addLast(new Echo());
                    }
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .syncUninterruptibly()
            .channel();
  }

  static TestOrigin http() {
    return new TestOrigin(true, null);
  }

  static TestOrigin https(SslContext tls) {
    return new TestOrigin(true, tls);
  }

  static TestOrigin echo() {
    return new TestOrigin(false, null);
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Bytes received from the gateway so far, on every connection. */
  long received() {
    return received.get();
  }

  int connections() {
    return connections.get();
  }

  /** The request lines and Host headers seen, in order. */
  List<String> requests() {
    return List.copyOf(requests);
  }

  /** Waits (bounded) until every connection accepted so far has closed. */
  boolean awaitAllClosed() throws InterruptedException {
    for (ChannelFuture f : List.copyOf(closeFutures)) {
      if (!f.await(10, TimeUnit.SECONDS)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Counter extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf b) {
        received.addAndGet(b.readableBytes());
      }
      ctx.fireChannelRead(msg);
    }
  }

  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String line = req.method() + " " + req.uri() + " host=" + req.headers().get("Host");
      requests.add(line);
      String body =
          line
              + " auth="
              + req.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION)
              + " len="
              + req.content().readableBytes()
              + "\n"
              + req.content().toString(StandardCharsets.UTF_8);
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.OK,
              Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      HttpUtil.setContentLength(res, res.content().readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      HttpUtil.setKeepAlive(res, keepAlive);
      var f = ctx.writeAndFlush(res);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
