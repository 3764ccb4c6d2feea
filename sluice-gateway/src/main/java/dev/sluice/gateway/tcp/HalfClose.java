package dev.sluice.gateway.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;

/**
 * Passes a half-close (FIN) of a forwarded TCP connection on: shuts down the sending side of the
 * other channel once everything queued for it was written. When both sides have been shut down this
 * way nothing is left in flight and both close (so does a side that cannot be shut down).
 */
final class HalfClose {

  private final Channel client;
  private final Runnable closeBoth;
  private boolean clientOutputDone;
  private boolean upstreamOutputDone;

  HalfClose(Channel client, Runnable closeBoth) {
    this.client = client;
    this.closeBoth = closeBoth;
  }

  /** Shuts down the sending side of {@code ch} (the client or the upstream) after its queue. */
  void finish(Channel ch) {
    ch.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess() || !(ch instanceof DuplexChannel d)) {
                    closeBoth.run();
                    return;
                  }
                  d.shutdownOutput()
                      .addListener(
                          (ChannelFutureListener)
                              done -> {
                                if (ch == client) {
                                  clientOutputDone = true;
                                } else {
                                  upstreamOutputDone = true;
                                }
                                if (clientOutputDone && upstreamOutputDone) {
                                  closeBoth.run();
                                }
                              });
                });
  }
}
