package dev.sluice.gateway.admission;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.halt.HaltState;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission stage every listener mode runs once its tenant (and, in forward mode, its
 * destination) is known, before anything is sent toward the outside:
 *
 * <ol>
 *   <li>halt: a halted site or zone refuses at once;
 *   <li>escrow fast path: the account already holds {@code need} unexpired bytes, so the request is
 *       granted without I/O;
 *   <li>refill: otherwise the budget store is asked for {@code need} bytes, asynchronously;
 *   <li>back on the client's event loop, the outcome: granted; in report mode a refusal is recorded
 *       as {@code would_deny} and the request goes on; else a deny with its typed {@link Refusal}.
 * </ol>
 *
 * <p>Owns the evidence of its own decisions, so every mode records the same: a deny is a {@code
 * deny} ledger entry, a denial counter and the connection's outcome; a report-mode refusal is one
 * {@code would_deny} entry. What the client sees (a 429 body, a close) is the caller's, through its
 * {@link Verdict}. A client that went away meanwhile gets {@link Verdict#abandoned()}. Nothing here
 * throws out of the event loop: a failure in a verdict closes the client and is recorded as an
 * {@code internal_error}. Stateless, shared by the connections of one listener.
 */
public final class Admission {

  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /** What the caller does with the decision; called on the client's event loop. */
  public interface Verdict {
    /** Paid for (or let through in report mode): go on to the destination. */
    void granted();

    /** Refused: the evidence is written; answer the client or close. */
    void denied(Refusal refusal);

    /** The client closed while the store was asked: release what is held. */
    default void abandoned() {}
  }

  private final ListenerContext lc;

  public Admission(ListenerContext lc) {
    this.lc = lc;
  }

  /**
   * Decides whether {@code tenant} may send, charged to {@code account} which must be able to pay
   * {@code need} bytes (at least 1).
   *
   * @param client the inside client's channel; its event loop runs the verdict
   * @param record the connection's record (outcome and evidence of a refusal)
   */
  public void admit(
      Channel client,
      ConnectionRecord record,
      String tenant,
      EscrowAccount account,
      long need,
      Verdict verdict) {
    if (need < 1) {
      throw new IllegalArgumentException("need must be at least 1 byte, got " + need);
    }
    if (HaltState.halted(lc.siteHalt(), lc.zoneHalt())) {
      HaltState.Halt h = lc.siteHalt().on() ? lc.siteHalt().halt() : lc.zoneHalt().halt();
      deny(client, record, tenant, Refusal.halted(h), verdict);
      return;
    }
    if (account.available() >= need && lc.clock().millis() < account.expiresAt()) {
      run(client, record, verdict::granted);
      return;
    }
    // No escrow yet (or spent): ask first, so a spent budget is answered without the outside.
    account
        .refill(need)
        .whenComplete(
            (o, e) -> client.eventLoop().execute(() -> decide(client, record, tenant, o, verdict)));
  }

  private void decide(
      Channel client,
      ConnectionRecord record,
      String tenant,
      EscrowAccount.Outcome o,
      Verdict verdict) {
    if (!client.isActive()) {
      run(client, record, verdict::abandoned);
    } else if (o != null && o.kind() == EscrowAccount.Outcome.Kind.GRANTED) {
      run(client, record, verdict::granted);
    } else if (lc.meter().reportMode()) {
      lc.evidence().wouldDeny(record, tenant, Refusal.of(o));
      run(client, record, verdict::granted);
    } else {
      deny(client, record, tenant, Refusal.of(o), verdict);
    }
  }

  private void deny(
      Channel client, ConnectionRecord record, String tenant, Refusal r, Verdict verdict) {
    lc.evidence().denied(record, tenant, r);
    record.outcome(ConnectionRecord.Decision.DENY, r.reason());
    run(client, record, () -> verdict.denied(r));
  }

  /** Runs a verdict; one that fails closes the client instead of unwinding the event loop. */
  private void run(Channel client, ConnectionRecord record, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      log.warn("listener {}: admission failed, closing the connection", lc.name(), e);
      lc.evidence().stats().denied(Reason.INTERNAL_ERROR);
      record.outcome(ConnectionRecord.Decision.ERROR, Reason.INTERNAL_ERROR);
      client.close();
    }
  }
}
