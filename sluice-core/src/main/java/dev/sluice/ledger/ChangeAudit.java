package dev.sluice.ledger;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Re-checks the CHANGE entries of a ledger as {@code ledger verify} reads them. The fields of a
 * CHANGE entry (documented in {@code docs/formats/ledger-v1.md}) are {@code action} ({@code
 * proposal}, {@code approval}, {@code refusal}, {@code application}), {@code kind}, {@code running}
 * and {@code subject}; a proposal adds {@code operators} ({@code "NAME ed25519:KEY"} each, the
 * operator keys of the running configuration) and {@code approvals_needed}; an approval adds {@code
 * operator}, {@code public_key}, {@code expires} (epoch seconds) and {@code signature} (base64).
 *
 * <p>Every approval entry must follow a proposal of the same kind, running hash and subject, name
 * an operator of that proposal with that operator's key, and carry a valid Ed25519 signature of the
 * approval's signed text ({@link ChangeApproval#signedText()}) by that key. Not thread-safe: one
 * per verification run.
 */
final class ChangeAudit {

  private final Map<String, String> keys = new HashMap<>();
  private String proposal;

  /** Null when {@code e} is fine (or not a CHANGE entry), else what is wrong with it. */
  String check(LedgerEntry e) {
    if (e.type() != EntryType.CHANGE) {
      return null;
    }
    try {
      String action = e.getString("action");
      String id = e.getString("kind") + " " + e.getString("running") + " " + e.getString("subject");
      if (action.equals("proposal")) {
        proposal = id;
        keys.clear();
        for (String op : e.getStrings("operators")) {
          int space = op.indexOf(' ');
          if (space < 0) {
            return "change proposal operator '" + op + "' is not 'NAME KEY'";
          }
          keys.put(op.substring(0, space), op.substring(space + 1));
        }
        return null;
      }
      if (!action.equals("approval")) {
        return null;
      }
      return approval(e, id);
    } catch (IllegalStateException | IllegalArgumentException x) {
      return "malformed change entry: " + x.getMessage();
    }
  }

  private String approval(LedgerEntry e, String id) {
    if (!id.equals(proposal)) {
      return "change approval of " + id + " follows no proposal of it";
    }
    String operator = e.getString("operator");
    String key = e.getString("public_key");
    if (!key.equals(keys.get(operator))) {
      return "change approval by "
          + operator
          + " with key "
          + key
          + ", which is not that operator's key in the proposal";
    }
    ChangeApproval a =
        new ChangeApproval(
            e.getString("kind"),
            operator,
            e.getString("running"),
            e.getString("subject"),
            e.getLong("expires"),
            Base64.getDecoder().decode(e.getString("signature")));
    if (!a.verifies(key)) {
      return "change approval by " + operator + ": the signature does not verify";
    }
    return null;
  }
}
