package dev.sluice.bench.live;

import java.util.List;
import java.util.Locale;

/** The Markdown tables of a live run: one row per family and concurrency. */
public final class LiveReport {

  private LiveReport() {}

  /** The tables of {@code cases}, after {@code notes} (one line each: what, where, when). */
  public static String markdown(List<String> notes, List<LiveCase> cases) {
    StringBuilder b = new StringBuilder();
    for (String n : notes) {
      b.append(n).append("  \n");
    }
    b.append('\n')
        .append(
            "| family | streams | answers exact | text bytes | charged link bytes per text byte"
                + " | direct: charged bytes per text byte | added latency per event p50 / p99"
                + " | added time to first byte p50 / p99 |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (LiveCase c : cases) {
      CaseStats s = c.stats();
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d / %d | %,d | **%.3f** | %.2f | %s | %s |%n",
              c.plan().family().id(),
              c.plan().pairs(),
              s.exact(),
              s.responses(),
              s.textBytes(),
              c.edgeRatio(),
              c.directRatio(),
              ms(s.addedPerEvent()),
              ms(s.addedFirstByte())));
    }
    b.append('\n')
        .append(
            "| family | streams | per event through the edge p50 / p99 | per event direct p50 / p99"
                + " | first byte through the edge p50 / p99 | first byte direct p50 / p99 |\n")
        .append("|---|---:|---:|---:|---:|---:|\n");
    for (LiveCase c : cases) {
      CaseStats s = c.stats();
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s | %s |%n",
              c.plan().family().id(),
              c.plan().pairs(),
              ms(s.edgePerEvent()),
              ms(s.directPerEvent()),
              ms(s.edgeFirstByte()),
              ms(s.directFirstByte())));
    }
    for (LiveCase c : cases) {
      for (String f : c.failures()) {
        b.append("\nfailed: ").append(c.plan().family().id()).append(' ').append(f);
      }
    }
    return b.append('\n').toString();
  }

  private static String ms(double[] xs) {
    Percentiles p = new Percentiles(xs);
    return String.format(Locale.ROOT, "%.1f / %.1f ms", p.at(50), p.at(99));
  }
}
