package dev.sluice.gateway.edge;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.meter.Payer;
import dev.sluice.gateway.stats.EdgeStats;
import java.util.List;

/**
 * One charge of a batch of a link: {@code n} bytes of the batch for a stream (its share of the
 * frame, or its END or RESET) or for the link itself ({@code stream} null), to an account or to the
 * control allowance. {@link #payAll} pays a batch's charges all or none.
 */
final class Charge {
  final MuxStream stream;
  final boolean frameShare;
  final Payer payer;
  final EscrowAccount account;
  final long n;
  final boolean control;
  long receipt = EscrowAccount.UNREFUNDABLE;
  boolean wouldDeny;

  /** {@link Payer#WAIT} or {@link Payer#REFUSED} when this charge failed. */
  int result = Payer.PAID;

  Charge(MuxStream s, boolean frameShare, Payer p, EscrowAccount a, long n, boolean control) {
    this.stream = s;
    this.frameShare = frameShare;
    this.payer = p;
    this.account = a;
    this.n = n;
    this.control = control;
  }

  /**
   * Pays every charge in order; at the first that cannot pay, gives back those already paid (bytes
   * whose escrow set changed meanwhile stay counted, {@link EdgeStats#overcharged}) and returns it
   * (its {@link #result} says why); null when all were paid.
   */
  static Charge payAll(List<Charge> charges, EdgeStats stats) {
    for (int i = 0; i < charges.size(); i++) {
      Charge c = charges.get(i);
      int r = c.n == 0 ? Payer.PAID : c.payer.charge(c.account, c.n, c.control);
      if (r != Payer.PAID) {
        c.result = r;
        for (int k = 0; k < i; k++) {
          Charge p = charges.get(k);
          if (!p.wouldDeny && p.n > 0 && !p.payer.refund(p.account, p.n, p.receipt, p.control)) {
            stats.overcharged(p.n);
          }
        }
        return c;
      }
      c.receipt = c.n == 0 ? EscrowAccount.UNREFUNDABLE : c.payer.receipt();
      c.wouldDeny = c.n != 0 && c.payer.lastWouldDeny();
    }
    return null;
  }
}
