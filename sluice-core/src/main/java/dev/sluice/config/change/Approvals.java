package dev.sluice.config.change;

import dev.sluice.config.ChangeControlConfig;
import dev.sluice.ledger.ChangeApproval;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the valid approvals of one change against the running configuration's {@code
 * change_control} (never the new file's: a change cannot approve itself with keys it adds).
 *
 * <p>An approval counts when it is of the change's kind, bound to the running configuration's hash
 * and the change's subject, by a configured operator, signed with that operator's key, and not
 * expired at {@code nowMillis} (the injected clock; it expires at its {@code expires} second). Each
 * operator counts once, however many approvals they sign. Stateless.
 */
public final class Approvals {

  private Approvals() {}

  /**
   * The outcome: the approvals that count, by operator, and why each other one does not.
   *
   * @param needed how many distinct operators must approve
   */
  public record Verdict(Map<String, ChangeApproval> counted, List<String> rejected, int needed) {
    public Verdict {
      counted = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counted));
      rejected = List.copyOf(rejected);
    }

    /** True when enough distinct operators approved. */
    public boolean enough() {
      return counted.size() >= needed;
    }
  }

  /** Checks {@code given} for the change ({@code kind}, {@code running}, {@code subject}). */
  public static Verdict check(
      ChangeControlConfig control,
      String kind,
      String running,
      String subject,
      List<ChangeApproval> given,
      long nowMillis) {
    Map<String, ChangeApproval> counted = new LinkedHashMap<>();
    List<String> rejected = new ArrayList<>();
    long nowSeconds = Math.floorDiv(nowMillis, 1000L);
    for (ChangeApproval a : given) {
      String key = control.operators().get(a.operator());
      String why = null;
      if (!a.kind().equals(kind)) {
        why = "approves a " + a.kind() + " change, this is a " + kind + " change";
      } else if (!a.running().equals(running)) {
        why = "is bound to running configuration " + a.running() + ", not the running " + running;
      } else if (!a.subject().equals(subject)) {
        why = "approves " + a.subject() + ", not " + subject;
      } else if (key == null) {
        why = "is by " + a.operator() + ", who is not an operator in change_control";
      } else if (!a.verifies(key)) {
        why = "has a signature that does not verify with " + a.operator() + "'s key";
      } else if (nowSeconds >= a.expiresSeconds()) {
        why = "expired at " + a.expiresText();
      } else if (counted.containsKey(a.operator())) {
        why = "is a second approval by " + a.operator() + " (each operator counts once)";
      }
      if (why == null) {
        counted.put(a.operator(), a);
      } else {
        rejected.add("approval by " + a.operator() + " " + why);
      }
    }
    return new Verdict(counted, rejected, control.approvals());
  }
}
