package dev.sluice.store;

import dev.sluice.budget.Denial;
import java.util.Objects;

/** The outcome of a {@link GrantRequest}: granted, denied by a cap, or the store is unavailable. */
public sealed interface GrantResult {

  /**
   * Escrow that is durable in the store and may now be spent until {@code expiresAt}.
   *
   * @param grantId unique id of this grant (ledgered)
   * @param setId the escrow set the grant belongs to
   * @param amount bytes granted (0 for a pure renewal)
   * @param setTime time (epoch ms) of the set's first grant; its periods are the set's periods
   * @param expiresAt epoch ms after which no byte of the set may be charged
   */
  record Granted(long grantId, long setId, long amount, long setTime, long expiresAt)
      implements GrantResult {}

  /** A cap on the path cannot pay {@code need} bytes. */
  record Denied(Denial denial) implements GrantResult {
    public Denied {
      Objects.requireNonNull(denial, "denial");
    }
  }

  /** The store cannot prove a grant durable (ledger failed, store unreachable, closed). */
  record Unavailable(String store, String reason) implements GrantResult {
    public Unavailable {
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(reason, "reason");
    }
  }
}
