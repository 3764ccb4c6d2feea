package dev.sluice.config;

import dev.sluice.ledger.OperatorKeys;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code change_control: { operators: { NAME: "ed25519:..." }, approvals: N }}: at least one
 * operator, distinct keys, and {@code approvals} between 1 and the number of operators.
 */
final class ChangeControlReader {

  private ChangeControlReader() {}

  /** The section, {@link ChangeControlConfig#NONE} when absent, null when it has errors. */
  static ChangeControlConfig read(Cursor c) {
    if (c == null) {
      return ChangeControlConfig.NONE;
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow("operators", "approvals");
    int errorsBefore = c.problems().errorCount();
    Map<String, String> operators = new LinkedHashMap<>();
    Map<String, String> byKey = new HashMap<>();
    Cursor opsAt = m.require("operators");
    YamlMap ops = opsAt == null ? null : opsAt.map();
    if (ops != null && ops.entries().isEmpty()) {
      opsAt.error("at least one operator is required: NAME: ed25519:KEY (from NAME.pub)");
    }
    for (YamlMap.Entry e : ops == null ? java.util.List.<YamlMap.Entry>of() : ops.entries()) {
      String name = e.keyAt().parse(OperatorKeys::checkName);
      String key =
          e.value()
              .parse(
                  "a public key such as ed25519:BASE64",
                  k -> {
                    OperatorKeys.parsePublic(k);
                    return k;
                  });
      if (name != null && key != null) {
        String other = byKey.putIfAbsent(key, name);
        if (other != null) {
          e.value()
              .error(
                  "the same key as operator "
                      + other
                      + "; each operator needs a key of their own, or one person counts twice");
        } else {
          operators.put(name, key);
        }
      }
    }
    Cursor approvalsAt = m.require("approvals");
    Long approvals =
        approvalsAt == null ? null : Scalars.count(approvalsAt, 1, Math.max(1, operators.size()));
    if (c.problems().errorCount() > errorsBefore || approvals == null) {
      return null;
    }
    return new ChangeControlConfig(operators, approvals.intValue());
  }
}
