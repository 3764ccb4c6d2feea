package dev.sluice.gateway.edge;

import dev.sluice.codec.CodecFormatException;
import dev.sluice.codec.CodecModel;
import dev.sluice.codec.StreamDecoder;
import dev.sluice.gateway.edge.LinkMessage.Accept;
import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection at {@code sluice edge} and the edge link that carries it to the gateway.
 * {@link #clientHandler} sits on the client's channel, {@link #linkHandler} after the {@link
 * LinkFrameCodec} on the link's channel; both run on the same event loop.
 *
 * <ul>
 *   <li>The link starts with HELLO (version 1, codec 1, this edge's model id, the client's
 *       address); the client's bytes go up as DATA, raw, from then on (without waiting for ACCEPT).
 *   <li>Downward DATA is one {@link StreamDecoder} segment each; only a whole, decoded segment is
 *       written to the client. END checks the decoded count and closes the client cleanly once
 *       everything was written.
 *   <li>Back-pressure both ways: a side stops reading while the other is not writable.
 *   <li>Anything wrong (a rejected or truncated link stream, REFUSE, ERROR, an ACCEPT this edge did
 *       not ask for, a segment that does not decode, an END whose counts differ) ends the client's
 *       connection abruptly (RST: SO_LINGER 0), after one log line naming the offset, so nothing
 *       wrong and no partial response passing for a complete one reaches the client.
 * </ul>
 *
 * <p>The client closing sends END up (ERROR UPSTREAM if it failed) and closes the link.
 */
final class EdgeConnection {

  private static final Logger log = LoggerFactory.getLogger("sluice.edge");

  private final CodecModel model;
  private final Channel client;
  private final String clientAddress;
  private final Hello hello;
  private final StreamDecoder decoder;
  private Channel link;
  private boolean accepted;
  private boolean finished;

  /** Offset in the gateway's stream of the next frame (4: after the magic). */
  private long gatewayOffset = 4;

  private long upBytes;

  EdgeConnection(CodecModel model, Channel client) {
    this.model = model;
    this.client = client;
    InetSocketAddress a = (InetSocketAddress) client.remoteAddress();
    this.clientAddress =
        a == null ? "" : a.getAddress().getHostAddress().replace('%', '_') + ":" + a.getPort();
    this.hello =
        new Handshake(
                List.of(EdgeLink.VERSION), List.of(GatewayLinkHandler.CODEC_STREAM), model.id())
            .hello(clientAddress);
    this.decoder = new StreamDecoder(model);
  }

  /** The HELLO this connection sends. */
  Hello hello() {
    return hello;
  }

  /** The link connected: say HELLO, then let the client's bytes flow up. */
  void linkUp(Channel link) {
    this.link = link;
    link.write(hello);
    link.flush();
    client.config().setAutoRead(true);
    link.config().setAutoRead(true);
  }

  /** The link could not be opened: abort the client. */
  void linkFailed(Throwable cause) {
    finished = true;
    abort("cannot connect to the gateway: " + cause.getMessage());
  }

  // ---- the client side ----

  final class ClientHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf buf)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      try {
        if (finished || link == null || !link.isActive()) {
          return;
        }
        byte[] b = ByteBufUtil.getBytes(buf);
        if (b.length > 0) {
          upBytes += b.length;
          link.write(new Data(b));
        }
      } finally {
        buf.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (link != null) {
        link.flush();
        if (!link.isWritable()) {
          client.config().setAutoRead(false); // the link is full: wait for it to drain
        }
      }
      ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (link != null && !finished) {
        link.config().setAutoRead(client.isWritable());
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!finished) {
        finished = true;
        endLink(new End(End.UNCOUNTED, upBytes));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!finished) {
        finished = true;
        log.debug("client {} failed: {}", clientAddress, cause.toString());
        endLink(new LinkError(ErrorCode.UPSTREAM, "the client connection failed"));
      }
      ctx.close();
    }
  }

  // ---- the link side ----

  final class LinkHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof LinkMessage m) {
          long at = gatewayOffset;
          gatewayOffset += EdgeLink.frameSize(EdgeLink.payloadSize(m));
          if (!finished) {
            fromGateway(m, at);
          }
        } else {
          ReferenceCountUtil.release(msg);
        }
      } catch (RuntimeException e) {
        fail(ErrorCode.INTERNAL, "internal failure of the edge: " + e);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      client.flush();
      if (!client.isWritable() && !finished) {
        link.config().setAutoRead(false); // the client is slow: stop reading the gateway
      }
      ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (!finished) {
        client.config().setAutoRead(ctx.channel().isWritable());
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof LinkFailure f) {
        if (!finished) {
          // The codec already sends ERROR PROTOCOL and closes the link; its message names the
          // offset of the rejected byte in the gateway's stream.
          finished = true;
          abort("link rejected: " + f.cause().getMessage());
        }
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      // After END the client was closed cleanly; anything else was handled by the codec's
      // LinkFailure (a truncated stream) before this.
      if (!finished) {
        finished = true;
        abort("the gateway closed the link");
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!finished) {
        finished = true;
        abort("link failed: " + cause);
      }
      ctx.close();
    }
  }

  private void fromGateway(LinkMessage m, long at) {
    if (m instanceof Accept a) {
      String wrong = Handshake.check(hello, a);
      if (wrong != null) {
        fail(ErrorCode.PROTOCOL, "the gateway's ACCEPT at byte " + at + " is wrong: " + wrong);
        return;
      }
      accepted = true;
    } else if (m instanceof Refuse r) {
      finished = true;
      link.close();
      abort("the gateway refused the link (" + r.code() + "): " + r.reason());
    } else if (m instanceof Data d) {
      byte[] out;
      try {
        out = decoder.decode(d.bytes(), 0, d.bytes().length);
      } catch (CodecFormatException e) {
        fail(
            ErrorCode.CODEC,
            "edge link stream from the gateway, byte "
                + (at + EdgeLink.headerSize(d.bytes().length) + e.offset())
                + " (DATA frame at byte "
                + at
                + "): "
                + e.getMessage());
        return;
      }
      if (out.length > 0) {
        client.write(Unpooled.wrappedBuffer(out));
      }
    } else if (m instanceof End e) {
      if (e.decodedBytes() != decoder.rawBytes()) {
        fail(
            ErrorCode.CODEC,
            "edge link stream from the gateway, byte "
                + (at
                    + EdgeLink.headerSize(EdgeLink.payloadSize(e))
                    + EdgeLink.varintSize(e.dataBytes()))
                + " (END frame at byte "
                + at
                + "): END says "
                + e.decodedBytes()
                + " decoded bytes, the DATA decoded to "
                + decoder.rawBytes());
        return;
      }
      // The response side is done: hand the client everything, then close it cleanly.
      finished = true;
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      endLink(new End(End.UNCOUNTED, upBytes));
    } else if (m instanceof LinkError e) {
      finished = true;
      link.close();
      abort("the gateway ended the link with ERROR " + e.code() + ": " + e.reason());
    }
    // PONG: nothing to do; PINGs are answered by the codec.
  }

  /** Sends {@code last} (END or ERROR) if the stream may still take it, then closes the link. */
  private void endLink(LinkMessage last) {
    if (link == null) {
      return;
    }
    LinkFrameCodec codec = link.pipeline().get(LinkFrameCodec.class);
    if (link.isActive() && codec != null && !codec.failed()) {
      link.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    } else {
      link.close();
    }
  }

  /** A problem this edge found in the gateway's stream: ERROR up, close the link, abort. */
  private void fail(ErrorCode code, String reason) {
    finished = true;
    if (link.isActive()) {
      link.writeAndFlush(new LinkError(code, EdgeLink.truncateUtf8(reason, EdgeLink.MAX_REASON)))
          .addListener(ChannelFutureListener.CLOSE);
    }
    abort(reason);
  }

  /** Ends the client's connection abruptly (RST), after one log line. */
  private void abort(String why) {
    finished = true;
    log.warn("client {} aborted: {}", clientAddress.isEmpty() ? "-" : clientAddress, why);
    if (client.isActive()) {
      client.config().setOption(ChannelOption.SO_LINGER, 0);
      client.close();
    }
  }
}
