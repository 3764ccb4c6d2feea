package dev.sluice.gateway.forward;

import dev.sluice.gateway.meter.RefusedException;
import dev.sluice.gateway.refusal.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.Queue;

/**
 * The client side of an admitted CONNECT: answers {@code 200 Connection established}, takes the
 * HTTP encoder out, and relays the client's bytes to the destination (through its meter), reading
 * the next chunk only when every write completed. The destination side is a {@link TunnelRelay}.
 * Used on the client's event loop only.
 */
final class Tunnel {

  /** Called when the tunnel cannot go on; the handler closes both sides. */
  interface Failure {
    void tunnelFailed(Reason reason);
  }

  private final ChannelHandlerContext client;
  private final Origin origin;
  private final Failure failure;
  private int writesPending;
  private boolean open;

  Tunnel(ChannelHandlerContext client, Origin origin, Failure failure) {
    this.client = client;
    this.origin = origin;
    this.failure = failure;
  }

  /**
   * Answers the CONNECT; once the answer is written, sends what the client sent ahead of it ({@code
   * early}, e.g. a TLS ClientHello: bytes are sent, anything else released) and starts relaying
   * both ways.
   */
  void open(Queue<Object> early) {
    origin.meter().markMessageStart();
    origin.meter().stream(); // a byte stream from now on: a refusal can only cut it
    client
        .writeAndFlush(ForwardResponses.established())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    failure.tunnelFailed(Reason.CLIENT_WRITE_FAILED);
                    return;
                  }
                  open = true;
                  client.pipeline().remove(ForwardListener.ENCODER);
                  Object m;
                  while ((m = early.poll()) != null) {
                    if (m instanceof ByteBuf b) {
                      write(b);
                    } else {
                      ReferenceCountUtil.release(m);
                    }
                  }
                  origin.channel().read();
                  if (writesPending == 0) {
                    client.read();
                  }
                });
  }

  /** True once the 200 is written and bytes are relayed. */
  boolean isOpen() {
    return open;
  }

  /** Bytes from the client, toward the destination. */
  void write(ByteBuf b) {
    writesPending++;
    origin
        .channel()
        .writeAndFlush(b)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  writesPending--;
                  if (f.cause() instanceof RefusedException) {
                    return; // the meter refused: its listener decides, or the close that dropped it
                  }
                  if (!f.isSuccess()) {
                    failure.tunnelFailed(Reason.DESTINATION_WRITE_FAILED);
                  } else if (writesPending == 0 && client.channel().isActive()) {
                    client.read();
                  }
                });
  }

  /** The client closed: what it sent still leaves (paid for), then the destination is closed. */
  void clientClosed() {
    origin.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }
}
