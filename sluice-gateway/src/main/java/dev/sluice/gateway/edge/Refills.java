package dev.sluice.gateway.edge;

import dev.sluice.gateway.meter.Payer;
import dev.sluice.gateway.stats.EdgeStats;
import io.netty.channel.ChannelHandlerContext;

/**
 * The waits of a link for escrow: a stream whose share could not be paid waits (unwritable, left
 * out of frames) while its account refills, and then goes on, lets its bytes through as would-deny
 * (report mode) or is refused, alone; the link's own messages wait for the control allowance the
 * same way. Completions come back on the link's event loop.
 */
final class Refills {

  private final ChannelHandlerContext ctx;
  private final EdgeStats stats;
  private final StreamInput input;
  private final FrameWriter.Link link;
  private final Payer linkPayer;
  private final Runnable send;

  Refills(
      ChannelHandlerContext ctx,
      EdgeStats stats,
      StreamInput input,
      FrameWriter.Link link,
      Payer linkPayer,
      Runnable send) {
    this.ctx = ctx;
    this.stats = stats;
    this.input = input;
    this.link = link;
    this.linkPayer = linkPayer;
    this.send = send;
  }

  void waitForEscrow(MuxStream s, long n, boolean isControl) {
    s.waitingEscrow = true;
    stats.escrowWait();
    input.writability(s);
    Payer p = s.meter.payer();
    p.refill(s.meter.account(), n, isControl)
        .whenComplete(
            (o, e) ->
                ctx.executor()
                    .execute(
                        () -> {
                          s.waitingEscrow = false;
                          if (s.downEnded) {
                            return;
                          }
                          Payer.After a = p.refilled(o, isControl);
                          if (a == Payer.After.WOULD_DENY) {
                            s.meter.wouldDeny(p.refusal());
                          } else if (a == Payer.After.REFUSE) {
                            if (isControl) {
                              s.endFromControl = true;
                            } else {
                              input.refuse(s, p.refusal());
                            }
                          }
                          input.writability(s);
                          send.run();
                        }));
  }

  void refillControl(long n, Runnable done) {
    linkPayer
        .refill(null, n, true)
        .whenComplete(
            (o, e) ->
                ctx.executor()
                    .execute(
                        () -> {
                          done.run();
                          Payer.After a = linkPayer.refilled(o, true);
                          if (a == Payer.After.REFUSE) {
                            link.controlRefused(linkPayer.refusal());
                          } else {
                            send.run();
                          }
                        }));
  }
}
