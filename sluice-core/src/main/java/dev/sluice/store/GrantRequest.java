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
 * @param want bytes the holder would like (0: the store's usual chunk); an account that spends fast
 *     asks for more so it refills less often. Unlike {@code need} it is a wish: the store grants
 *     less when little remains, and never refuses because of it
 */
public record GrantRequest(BudgetPath path, long setId, long need, long sent, long want) {
  public GrantRequest {
    Objects.requireNonNull(path, "path");
    if (setId < 0 || need < 0 || sent < 0 || want < 0) {
      throw new IllegalArgumentException(
          "setId, need, sent and want must be >= 0: "
              + setId
              + ", "
              + need
              + ", "
              + sent
              + ", "
              + want);
    }
  }

  /** A request with no wish beyond the store's usual chunk. */
  public GrantRequest(BudgetPath path, long setId, long need, long sent) {
    this(path, setId, need, sent, 0);
  }
}
