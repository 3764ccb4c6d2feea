package dev.sluice.gateway.meter;

import dev.sluice.budget.Denial;
import dev.sluice.halt.HaltState;
import java.util.Objects;

/**
 * Why bytes did not leave: a value with a reason, logged, counted and ledgered once per connection.
 * {@link #reason()} is the stable label used in metrics, logs, the ledger and JSON error types.
 */
public record Refusal(Kind kind, Denial denial, HaltState.Halt halt, String detail) {

  /** The reasons bytes can be refused. */
  public enum Kind {
    /** A cap on the path is spent. */
    BUDGET("egress_budget_exhausted"),
    /** An operator halted egress of the site or the zone. */
    HALTED("egress_halted"),
    /** The budget store cannot prove a grant durable (fail closed). */
    STORE_UNAVAILABLE("budget_store_unavailable"),
    /** The ledger cannot be written (fail closed). */
    LEDGER_UNAVAILABLE("ledger_unavailable"),
    /** The control allowance that pays for denial responses is spent. */
    CONTROL_EXHAUSTED("control_allowance_exhausted"),
    /** More bytes queued behind a refill than the meter holds: a bug; fail closed. */
    METER_OVERFLOW("meter_overflow");

    private final String reason;

    Kind(String reason) {
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  public Refusal {
    Objects.requireNonNull(kind, "kind");
  }

  public String reason() {
    return kind.reason();
  }

  public static Refusal budget(Denial d) {
    return new Refusal(Kind.BUDGET, d, null, d.nodeId() + " " + d.window().label());
  }

  public static Refusal halted(HaltState.Halt h) {
    return new Refusal(Kind.HALTED, null, h, h == null ? "halted" : h.scope() + ": " + h.reason());
  }

  public static Refusal of(Kind kind, String detail) {
    return new Refusal(kind, null, null, detail);
  }
}
