package dev.sluice.gateway.meter;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.refusal.Refusal;

/**
 * What the HTTP handlers of one outside connection need from its meter, whatever carries the
 * connection: a socket ({@link EgressMeter}) or a stream of a multiplexed edge link. The meter
 * charges every byte before it leaves; the handlers say whose bytes they are ({@link #account}),
 * which bytes are the gateway's own answers ({@link #control}), and learn of refusals through their
 * {@link Listener}.
 */
public interface ConnectionMeter {

  /** Decides what a refusal means for the client; called on the event loop. */
  interface Listener {
    /**
     * Bytes were refused; only control writes pass from now on. {@code meterCtx}'s handler is the
     * {@link ConnectionMeter} that refused.
     */
    void refused(io.netty.channel.ChannelHandlerContext meterCtx, Refusal refusal);

    /** Report mode: a cap would have refused bytes that are let through (called once). */
    default void wouldDeny(io.netty.channel.ChannelHandlerContext meterCtx, Refusal refusal) {}
  }

  /** Who is told about refusals. */
  void listener(Listener l);

  /** The account later writes are charged to (e.g. per request on a keep-alive connection). */
  void account(EscrowAccount a);

  EscrowAccount account();

  /** Starts counting the bytes of a new message (an HTTP response). */
  void markMessageStart();

  /**
   * The largest single transfer later writes may make, counted from the last {@link
   * #markMessageStart} (set with the account, per request): a write that would pass it is refused
   * ({@code transfer_too_large}) and none of its bytes leave.
   */
  void maxTransfer(dev.sluice.gateway.transfer.MaxTransfer m);

  /** Bytes of the current message already paid and sent (0: nothing of it has left). */
  long chargedSinceMark();

  /** Whether bytes were refused on this connection (only control writes pass). */
  boolean refused();

  /**
   * Runs {@code writes} (which must write and flush synchronously, like a full HTTP response) with
   * their bytes paid from the control allowance.
   */
  void control(Runnable writes);

  /** True while {@link #control} runs. */
  boolean inControl();
}
