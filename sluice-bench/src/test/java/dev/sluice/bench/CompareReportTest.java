package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompareReportTest {

  private static final List<String> LINES =
      List.of(
          "bulk\tdirect\t1\tmibps\t2000",
          "bulk\tnginx\t1\tmibps\t1000",
          "bulk\thaproxy\t1\tmibps\t900",
          "bulk\tsluice\t1\tmibps\t700",
          "bulk\tdirect\t2\tmibps\t2200",
          "bulk\tnginx\t2\tmibps\t1100",
          "bulk\thaproxy\t2\tmibps\t1000",
          "bulk\tsluice\t2\tmibps\t900",
          "bulk\tnginx\t1\tcpu_s_per_gib\t1.0",
          "bulk\tsluice\t1\tcpu_s_per_gib\t1.2",
          "sse\tdirect\t1\tttfb_p99_ms\t2.0",
          "sse\tsluice\t1\tttfb_p99_ms\t3.5",
          "sse\tsluice\t1\terrors\t0");

  @Test
  void medianOfOddAndEvenCountsIgnoresNonFinite() {
    assertThat(CompareReport.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(CompareReport.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
    assertThat(CompareReport.median(List.of(Double.NaN, 5.0))).isEqualTo(5.0);
    assertThat(CompareReport.median(List.of())).isNaN();
  }

  @Test
  void tableHasMediansRatiosAndVerdicts() {
    CompareReport.Samples s = CompareReport.Samples.parse(LINES);
    String md = CompareReport.markdown(s, Map.of("bulk", "1 GiB a run"));
    String bulk = line(md, "| bulk egress through the tcp proxy (1 GiB a run)");
    // medians 2100, 1050, 950, 800: Sluice/nginx 0.76, Sluice/HAProxy 0.84, Sluice/direct 0.38
    assertThat(bulk)
        .contains("| 2100 | 1050 | 950.0 | 800.0 | 0.76 | 0.84 | 0.38 |")
        .contains("**no** (0.76)");
    assertThat(line(md, "| CPU of the proxy")).contains("| — |").contains("yes (1.20)");
    assertThat(line(md, "| SSE time to first byte p99")).contains("**no** (+1.50 ms)");
    assertThat(line(md, "| 1 KiB HTTP responses")).contains("no data");
    assertThat(line(md, "| bulk/mibps")).contains("| 2000, 2200 | 1000, 1100 |");
    assertThat(line(md, "| sse/errors")).contains("| — | — | — | 0 |");
  }

  @Test
  void chartHasOnePanelPerChartedMetric() {
    BufferedImage img = CompareReport.chart(CompareReport.Samples.parse(LINES), "title");
    assertThat(img.getWidth()).isEqualTo(3 * 440);
    assertThat(img.getHeight()).isEqualTo(70 + 2 * 330);
  }

  @Test
  void niceSteps() {
    assertThat(CompareReport.niceStep(0.3))
        .isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(CompareReport.niceStep(120)).isEqualTo(200.0);
    assertThat(CompareReport.niceStep(1000)).isEqualTo(1000.0);
  }

  private static String line(String md, String prefix) {
    return Arrays.stream(md.split("\n"))
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line starting with " + prefix + " in\n" + md));
  }
}
