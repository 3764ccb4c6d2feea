package dev.sluice.gateway.meter;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.halt.HaltState;
import java.util.Objects;

/**
 * How one outside connection (a socket, or a stream of an edge link) pays for bytes, shared by
 * every meter so that the rules exist once: refuse while the ledger cannot be written or egress is
 * halted (control bytes excepted); charge the account (one CAS); pay a denial from the node's
 * {@link ControlReserve} once the control account's store was found unavailable; in report mode,
 * after the first would-be refusal, let the connection's bytes through uncharged as would-deny;
 * after a refill, decide whether to retry, let through (report mode) or refuse.
 *
 * <p>Charging and recording are separate steps, so that a caller that pays several accounts for one
 * write (the shares of an edge link frame) can give back what it charged with {@link #refund} when
 * one of them cannot pay, and record only what was written ({@link #paid}). One instance per
 * connection or stream, used on its event loop.
 */
public final class Payer {

  /** The bytes are paid (or, in report mode, let through as would-deny). */
  public static final int PAID = 0;

  /** Not enough escrow: {@link #refill} and try again. */
  public static final int WAIT = 1;

  /** Refused; {@link #refusal()} says why. */
  public static final int REFUSED = 2;

  /** What a refill's outcome means for the bytes that waited for it. */
  public enum After {
    /** Charge again. */
    RETRY,
    /** Report mode: from now on let the bytes through as would-deny ({@link #refusal()}). */
    WOULD_DENY,
    /** Refuse ({@link #refusal()}). */
    REFUSE
  }

  private final MeterSettings settings;
  private final ConnectionRecord record;
  private boolean wouldDeny;
  private boolean controlFromReserve;
  private boolean lastWouldDeny;
  private long receipt = EscrowAccount.UNREFUNDABLE;
  private Refusal refusal;

  public Payer(MeterSettings settings, ConnectionRecord record) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.record = Objects.requireNonNull(record, "record");
  }

  public MeterSettings settings() {
    return settings;
  }

  public ConnectionRecord record() {
    return record;
  }

  /**
   * Charges {@code n} bytes to {@code account}, or to the control allowance if {@code control}.
   * Records nothing: call {@link #paid} once the bytes are written (or committed to be).
   *
   * @return {@link #PAID}, {@link #WAIT} or {@link #REFUSED}
   */
  public int charge(EscrowAccount account, long n, boolean control) {
    lastWouldDeny = false;
    receipt = EscrowAccount.UNREFUNDABLE;
    MeterSettings s = settings;
    if (!s.ledgerHealthy().getAsBoolean()) {
      refusal = Refusal.of(Reason.LEDGER_UNAVAILABLE, "the ledger cannot be written");
      return REFUSED;
    }
    if (!control && HaltState.halted(s.siteHalt(), s.zoneHalt())) {
      HaltState.Halt h = s.siteHalt().on() ? s.siteHalt().halt() : s.zoneHalt().halt();
      refusal = Refusal.halted(h);
      return REFUSED;
    }
    EscrowAccount acc = control ? s.control() : account;
    long now = s.clock().millis();
    long r = acc.chargeWithReceipt(n, now);
    if (r >= 0) {
      receipt = r;
      return PAID;
    }
    if (control && controlFromReserve && s.controlReserve().tryCharge(n, now)) {
      return PAID;
    }
    if (wouldDeny && !control) {
      lastWouldDeny = true;
      return PAID;
    }
    return WAIT;
  }

  /** The receipt of the last {@link #PAID} charge ({@link EscrowAccount#UNREFUNDABLE} if none). */
  public long receipt() {
    return receipt;
  }

  /** True if the last {@link #PAID} let the bytes through uncharged (report mode). */
  public boolean lastWouldDeny() {
    return lastWouldDeny;
  }

  /**
   * Gives back {@code n} bytes of a charge with {@code receipt} that was not written after all.
   * Returns false if they stay counted (see {@link EscrowAccount#refund}).
   */
  public boolean refund(EscrowAccount account, long n, long receipt, boolean control) {
    return (control ? settings.control() : account).refund(n, receipt);
  }

  /**
   * Records {@code n} bytes written: in the connection's record, the listener's and the node's
   * counters; {@code wouldDenyBytes} for bytes let through uncharged in report mode.
   */
  public void paid(long n, boolean control, boolean wouldDenyBytes) {
    if (wouldDenyBytes) {
      record.wouldDeny(n);
      settings.listenerStats().bytesOut.add(n);
      settings.listenerStats().wouldDenyBytes.add(n);
      return;
    }
    record.out(n, control);
    settings.listenerStats().bytesOut.add(n);
    if (control) {
      settings.stats().control(n);
    } else {
      settings.stats().egress(n);
    }
  }

  /** Asks the store for at least {@code n} more bytes of {@code account} (or control). */
  public java.util.concurrent.CompletableFuture<EscrowAccount.Outcome> refill(
      EscrowAccount account, long n, boolean control) {
    return (control ? settings.control() : account).refill(n);
  }

  /**
   * Makes {@code need} bytes of {@code account} available for a write that may be paid in parts
   * (the escrow already held counts, {@link EscrowAccount#refill}); if a cap denies that many, asks
   * for one byte more than is held: only when even that is denied is the budget spent. (The store
   * hands the last bytes of a path out in small pieces, so a write larger than what remains is paid
   * as far as the budget goes.)
   */
  public java.util.concurrent.CompletableFuture<EscrowAccount.Outcome> refillPart(
      EscrowAccount account, long need) {
    return account
        .refill(need)
        .thenCompose(
            o ->
                o.kind() == EscrowAccount.Outcome.Kind.DENIED && need > account.available() + 1
                    ? account.refill(account.available() + 1)
                    : java.util.concurrent.CompletableFuture.completedFuture(o));
  }

  /** What the refill outcome {@code o} (null: none) means for bytes that waited for it. */
  public After refilled(EscrowAccount.Outcome o, boolean control) {
    if (o != null && o.kind() == EscrowAccount.Outcome.Kind.GRANTED) {
      return After.RETRY;
    }
    if (control
        && !controlFromReserve
        && (o == null || o.kind() == EscrowAccount.Outcome.Kind.UNAVAILABLE)) {
      // The store cannot grant: pay the denial from the node's reserve (once).
      controlFromReserve = true;
      return After.RETRY;
    }
    refusal =
        control
            ? Refusal.of(Reason.CONTROL_EXHAUSTED, "the control allowance is spent")
            : Refusal.of(o);
    if (!control && settings.reportMode() && refusal.reason() != Reason.LEDGER_UNAVAILABLE) {
      wouldDeny = true;
      return After.WOULD_DENY;
    }
    return After.REFUSE;
  }

  /** Why the last charge or refill was refused. */
  public Refusal refusal() {
    return refusal;
  }
}
