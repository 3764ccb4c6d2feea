package dev.sluice.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The detection table of {@code bench/compare.sh} run with {@code DETECTION}: per workload the
 * medians of Sluice without and with the scan stage (the peers {@code sluice} and {@code
 * sluice-detect}, measured alternating in the same run) and their ratio, against issue 17's target
 * for bulk egress (with detection at least 0.8 times the throughput without). Prints Markdown.
 *
 * <pre>
 * java -cp benchmarks.jar dev.sluice.bench.DetectionReport SAMPLES DETECTION CONTENT
 * </pre>
 */
public final class DetectionReport {

  /** Issue 17: bulk tcp egress with detection at least this times the same without. */
  static final double BULK_TARGET = 0.8;

  private record Row(String workload, String metric, String name, boolean higherIsBetter) {}

  private static final List<Row> ROWS =
      List.of(
          new Row("bulk", "mibps", "bulk tcp egress, MiB/s", true),
          new Row("bulk", "cpu_s_per_gib", "CPU seconds per GiB (the JVM)", false),
          new Row("http", "rps", "1 KiB HTTP, req/s", true),
          new Row("http", "p99_ms", "1 KiB HTTP p99, ms", false),
          new Row("sse", "ttfb_p99_ms", "SSE time to first byte p99, ms", false));

  private DetectionReport() {}

  public static void main(String[] args) throws IOException {
    CompareReport.Samples s =
        CompareReport.Samples.parse(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
    System.out.print(markdown(s, args[1], args[2]));
  }

  static String markdown(CompareReport.Samples s, String detection, String content) {
    StringBuilder md = new StringBuilder();
    md.append("## Detection: Sluice without and with `detection: ")
        .append(detection)
        .append("` (bulk content: ")
        .append(content)
        .append(")\n\n");
    md.append("| workload | without | with | with / without | target (issue 17) | met |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (Row r : ROWS) {
      List<Double> off = s.of(r.workload(), r.metric(), "sluice");
      List<Double> on = s.of(r.workload(), r.metric(), "sluice-detect");
      if (off.isEmpty() && on.isEmpty()) {
        continue;
      }
      double a = CompareReport.median(off);
      double b = CompareReport.median(on);
      boolean bulk = r.workload().equals("bulk") && r.metric().equals("mibps");
      String met = "";
      if (bulk) {
        met =
            !Double.isFinite(a) || !Double.isFinite(b) || a == 0
                ? "no data"
                : (b / a >= BULK_TARGET ? "yes" : "**no**");
      }
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s | %s |%n",
              r.name(),
              CompareReport.fmt(a),
              CompareReport.fmt(b),
              CompareReport.ratio(b, a),
              bulk ? "≥ " + BULK_TARGET : "",
              met));
    }
    md.append("\nSamples (run order), without: ")
        .append(s.of("bulk", "mibps", "sluice"))
        .append("; with: ")
        .append(s.of("bulk", "mibps", "sluice-detect"))
        .append(" MiB/s\n");
    return md.toString();
  }
}
