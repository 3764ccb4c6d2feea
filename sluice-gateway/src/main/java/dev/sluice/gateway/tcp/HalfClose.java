package dev.sluice.gateway.tcp;

import dev.sluice.gateway.scan.ScanStage;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import java.util.concurrent.RejectedExecutionException;

/**
 * Passes a half-close (FIN) of a forwarded TCP connection on: shuts down the sending side of the
 * other channel once everything queued for it was written. When both sides have been shut down this
 * way nothing is left in flight and both close (so does a side that cannot be shut down).
 *
 * <p>The end of the stream reaches the channel's scan stage first ({@link ScanStage#endOfStream}),
 * on the channel's event loop after the writes relayed before it: a shutdown of the output does not
 * pass the pipeline, so without this the stage would let its last held bytes leave at its deadline
 * unjudged. On a finding the stage cuts the connection and the write below fails (both close).
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
    if (ch.eventLoop().inEventLoop()) {
      end(ch);
    } else {
      try {
        ch.eventLoop().execute(() -> end(ch)); // queued after the writes relayed before the FIN
      } catch (RejectedExecutionException stopping) {
        closeBoth.run();
      }
    }
  }

  private void end(Channel ch) {
    ScanStage.endOfStream(ch);
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
