package dev.sluice.cli;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.budget.NodeKind;
import dev.sluice.config.ByteSizes;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Prints a budget tree for people: each cap in bytes, as a fraction of the model's weights, and how
 * long the weights would take to leave at that cap. Display only: nothing here decides whether a
 * byte may leave, so the day counts use decimal arithmetic rounded for reading.
 */
final class BudgetTreeReport {

  /** Average Gregorian month, for the display of monthly caps only. */
  private static final BigDecimal DAYS_PER_MONTH = new BigDecimal("30.436875");

  private static final MathContext FOUR_DIGITS = new MathContext(4, RoundingMode.HALF_EVEN);

  private final long weightBytes;
  private final long copyBytes;

  /** A report for weights of {@code weightBytes} whose smallest useful copy is the same size. */
  BudgetTreeReport(long weightBytes) {
    this(weightBytes, weightBytes);
  }

  /**
   * @param copyBytes the smallest useful copy of the weights ({@code model.smallest_useful_copy})
   */
  BudgetTreeReport(long weightBytes, long copyBytes) {
    this.weightBytes = weightBytes;
    this.copyBytes = copyBytes;
  }

  void print(BudgetTree tree, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "%-40s %-9s %20s %12s %12s  %-34s  %s%n",
        "NODE",
        "WINDOW",
        "CAP (bytes)",
        "CAP",
        "OF WEIGHTS",
        "WEIGHTS LEAVE IN",
        "SMALLEST USEFUL COPY LEAVES IN");
    for (BudgetNode node : tree.nodes()) {
      String label = indent(node.kind()) + node.id();
      if (node.limits().isEmpty()) {
        out.printf(Locale.ROOT, "%-40s %-9s %20s%n", label, "-", "(no own limit)");
        continue;
      }
      for (Limit l : node.limits()) {
        out.printf(
            Locale.ROOT,
            "%-40s %-9s %,20d %12s %12s  %-34s  %s%n",
            label,
            l.window().label(),
            l.cap(),
            ByteSizes.format(l.cap()),
            fractionOfWeights(l.cap()),
            timeToLeave(l, weightBytes, "the weights"),
            timeToLeave(l, copyBytes, "the copy"));
        label = "";
      }
    }
  }

  private static String indent(NodeKind kind) {
    return switch (kind) {
      case SITE, CONTROL -> "";
      case ZONE -> "  ";
      case TENANT, DESTINATION -> "    ";
    };
  }

  String fractionOfWeights(long cap) {
    BigDecimal pct =
        BigDecimal.valueOf(cap)
            .multiply(BigDecimal.valueOf(100))
            .divide(BigDecimal.valueOf(weightBytes), FOUR_DIGITS);
    return pct.stripTrailingZeros().toPlainString() + "%";
  }

  /** Days for the weights to leave if this limit were the only one and were spent every period. */
  String timeToLeave(Limit l) {
    return timeToLeave(l, weightBytes, "the weights");
  }

  /**
   * Days for {@code bytes} ({@code what}: the weights or their smallest useful copy) to leave if
   * this limit were the only one and were spent every period.
   */
  static String timeToLeave(Limit l, long bytes, String what) {
    if (l.cap() == 0) {
      return "never (cap is 0)";
    }
    BigDecimal periods =
        BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(l.cap()), MathContext.DECIMAL64);
    BigDecimal days =
        switch (l.window()) {
          case DAY -> periods;
          case WEEK -> periods.multiply(BigDecimal.valueOf(7));
          case MONTH -> periods.multiply(DAYS_PER_MONTH);
          case LIFETIME -> null;
        };
    if (days == null) {
      return l.cap() < bytes
          ? "never (cap is below " + what + ")"
          : "not bounded by this limit (cap >= "
              + (what.equals("the weights") ? "weights" : "copy")
              + ")";
    }
    return formatDays(days);
  }

  /** {@code 3.5 hours}, {@code 62.5 days}, {@code 1,000 days}. */
  static String formatDays(BigDecimal days) {
    if (days.compareTo(BigDecimal.ONE) < 0) {
      BigDecimal hours = days.multiply(BigDecimal.valueOf(24)).round(FOUR_DIGITS);
      return hours.stripTrailingZeros().toPlainString() + " hours";
    }
    if (days.compareTo(BigDecimal.valueOf(100)) >= 0) {
      return String.format(
          Locale.ROOT, "%,d days", days.setScale(0, RoundingMode.HALF_EVEN).longValue());
    }
    return days.round(FOUR_DIGITS).stripTrailingZeros().toPlainString() + " days";
  }
}
