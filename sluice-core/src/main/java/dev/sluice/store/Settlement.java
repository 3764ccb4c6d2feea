package dev.sluice.store;

import dev.sluice.budget.BudgetPath;
import java.util.Objects;

/**
 * The end of an escrow set: of {@code granted} bytes, {@code sent} were charged by writes and
 * {@code returned} go back to the budget ({@code sent + returned == granted}).
 *
 * @param setTime time of the set's first grant; the returned bytes are credited to its periods
 * @param reason why the set ended: {@code shutdown}, {@code expired}, {@code idle}
 */
public record Settlement(
    BudgetPath path,
    long setId,
    long setTime,
    long granted,
    long sent,
    long returned,
    String reason) {
  public Settlement {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(reason, "reason");
    if (setId <= 0 || granted < 0 || sent < 0 || returned < 0 || sent + returned != granted) {
      throw new IllegalArgumentException(
          "inconsistent settlement of set "
              + setId
              + ": granted="
              + granted
              + " sent="
              + sent
              + " returned="
              + returned);
    }
  }
}
