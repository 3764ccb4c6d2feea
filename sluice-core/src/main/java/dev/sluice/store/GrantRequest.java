package dev.sluice.store;

import dev.sluice.budget.BudgetPath;
import java.util.Objects;

/**
 * A request for escrow on {@code path}.
 *
 * @param setId the escrow set to extend, or 0 to start a new set
 * @param need bytes that must be granted for the request to succeed (0: a proactive refill or a
 *     renewal; the store may then grant 0 bytes and only extend the expiry)
 * @param sent bytes already charged from the set, recorded in the grant entry so that a crash
 *     strands as little as possible
 */
public record GrantRequest(BudgetPath path, long setId, long need, long sent) {
  public GrantRequest {
    Objects.requireNonNull(path, "path");
    if (setId < 0 || need < 0 || sent < 0) {
      throw new IllegalArgumentException(
          "setId, need and sent must be >= 0: " + setId + ", " + need + ", " + sent);
    }
  }
}
