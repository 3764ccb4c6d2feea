package dev.sluice.gateway.scan;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The order of a blocking cut: the finding's {@code detection} ledger entry first, then what the
 * client or the peer can see (the dropped writes failing, the 403, the close). Until the entry is
 * durable the stopped stream passes nothing and stays open, so a cut connection always has its
 * entry on disk, even if the gateway dies right after the close.
 */
public final class Ledgered {

  private Ledgered() {}

  /**
   * Runs {@code action} on the channel's event loop once {@code entry} completed (durable, or lost
   * and logged: the cut happens either way); at once when it already has. If the event loop no
   * longer runs tasks (the gateway is stopping), the channel is closed instead.
   */
  public static void then(ChannelHandlerContext ctx, CompletableFuture<?> entry, Runnable action) {
    if (entry.isDone() && ctx.executor().inEventLoop()) {
      action.run();
      return;
    }
    entry.whenComplete(
        (v, err) -> {
          try {
            ctx.executor().execute(action);
          } catch (RejectedExecutionException stopping) {
            ctx.channel().close();
          }
        });
  }
}
