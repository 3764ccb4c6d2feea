package dev.sluice.config;

import java.util.List;

/**
 * Warns when a child's cap is larger than a parent's cap over a window at least as long (a tenant
 * against its zone, a zone against the site, a destination against its zone). Such a cap is not
 * wrong, since every limit on the path must pay, but the parent always runs out first, which is
 * rarely what the operator meant.
 */
final class CapWarnings {

  private CapWarnings() {}

  /**
   * Checks every child limit against the tightest parent limit whose window is at least as long.
   *
   * @param parentName how the parent is named in the message: {@code site}, {@code zone inference}
   */
  static void check(
      List<LimitsReader.Located> child, List<LimitsReader.Located> parent, String parentName) {
    for (LimitsReader.Located c : child) {
      LimitsReader.Located tightest = null;
      for (LimitsReader.Located p : parent) {
        if (p.limit().window().atLeastAsLongAs(c.limit().window())
            && c.limit().capBytes() > p.limit().capBytes()
            && (tightest == null || p.limit().capBytes() < tightest.limit().capBytes())) {
          tightest = p;
        }
      }
      if (tightest != null) {
        c.capAt()
            .warning(
                c.limit().window().label()
                    + " cap "
                    + describe(c.limit())
                    + " is larger than the "
                    + parentName
                    + " "
                    + tightest.limit().window().label()
                    + " cap "
                    + describe(tightest.limit())
                    + " at "
                    + tightest.capAt().path()
                    + "; the "
                    + parentName
                    + " cap is reached first");
      }
    }
  }

  private static String describe(LimitConfig l) {
    String human = ByteSizes.format(l.capBytes());
    return ByteSizes.isRelative(l.capText()) ? human + " (" + l.capText() + ")" : human;
  }
}
