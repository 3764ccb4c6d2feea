package dev.sluice.config.change;

import dev.sluice.config.ChangeControlConfig;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import java.util.List;
import java.util.Map;

/**
 * The CHANGE ledger entries of change control, built in one place so that {@code ledger verify}
 * ({@code ledger.ChangeAudit}) and the writers agree on the fields. Every entry has {@code action},
 * {@code kind}, {@code running} (SHA-256 of the running configuration's file) and {@code subject}
 * (the new file's SHA-256, or the halt being lifted). Stateless.
 */
public final class ChangeEntries {

  private ChangeEntries() {}

  /**
   * A change was asked for: what it loosens, the running configuration's operators ({@code "NAME
   * ed25519:KEY"}, by name) and how many approvals it needs (0 when it loosens nothing or change
   * control is off).
   */
  public static LedgerEntry proposal(
      long time,
      String kind,
      String running,
      String subject,
      String source,
      List<String> loosens,
      ChangeControlConfig control,
      int needed) {
    return base("proposal", time, kind, running, subject)
        .put("source", source)
        .putStrings("loosens", loosens)
        .putStrings(
            "operators",
            control.operators().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(o -> o.getKey() + " " + o.getValue())
                .toList())
        .put("approvals_needed", needed)
        .build();
  }

  /** One approval that counted, with its signature and the key it verified with. */
  public static LedgerEntry approval(long time, ChangeApproval a, String publicKey) {
    return base("approval", time, a.kind(), a.running(), a.subject())
        .put("operator", a.operator())
        .put("public_key", publicKey)
        .put("expires", a.expiresSeconds())
        .put("signature", a.signatureBase64())
        .build();
  }

  /** The change was refused: why, and every approval that did not count and why. */
  public static LedgerEntry refusal(
      long time, String kind, String running, String subject, String reason, List<String> details) {
    return base("refusal", time, kind, running, subject)
        .put("reason", reason)
        .putStrings("details", details)
        .build();
  }

  /** The change was applied, approved by these operators (none for a tightening). */
  public static LedgerEntry application(
      long time, String kind, String running, String subject, List<String> approvedBy) {
    return base("application", time, kind, running, subject)
        .putStrings("approved_by", approvedBy)
        .build();
  }

  private static LedgerEntry.Builder base(
      String action, long time, String kind, String running, String subject) {
    return LedgerEntry.builder(EntryType.CHANGE, time)
        .put("action", action)
        .put("kind", kind)
        .put("running", running)
        .put("subject", subject);
  }
}
