package dev.sluice.config;

import dev.sluice.ledger.OperatorKeys;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Change control ({@code change_control}): the operators' Ed25519 public keys ({@code
 * ed25519:BASE64}, see {@link OperatorKeys}) by name, and how many distinct operators must approve
 * a change that loosens anything. {@link #NONE} (the section absent) means no change needs
 * approvals, as before change control existed.
 */
public record ChangeControlConfig(Map<String, String> operators, int approvals) {

  /** No change control: every change applies without approvals. */
  public static final ChangeControlConfig NONE = new ChangeControlConfig(Map.of(), 0);

  public ChangeControlConfig {
    operators = Immutables.orderedCopy(operators, "operators");
    Set<String> keys = new HashSet<>();
    operators.forEach(
        (name, key) -> {
          OperatorKeys.checkName(name);
          OperatorKeys.parsePublic(key);
          if (!keys.add(key)) {
            throw new IllegalArgumentException("operator " + name + " shares its key with another");
          }
        });
    if (operators.isEmpty() ? approvals != 0 : approvals < 1 || approvals > operators.size()) {
      throw new IllegalArgumentException(
          "approvals must be 1.." + operators.size() + " (the number of operators)");
    }
  }

  /** True when loosening changes need approvals. */
  public boolean enabled() {
    return approvals > 0;
  }
}
