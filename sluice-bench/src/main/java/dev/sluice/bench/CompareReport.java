package dev.sluice.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Turns the raw samples of {@code bench/compare.sh} into a Markdown table of medians with the
 * ratios Sluice/nginx, Sluice/HAProxy and Sluice/direct and each issue-5 target, the raw samples,
 * and a PNG chart (one panel per metric, a bar per peer at the median, a dot per run).
 *
 * <p>Input: one sample a line, tab-separated {@code WORKLOAD PEER RUN METRIC VALUE}, peers {@code
 * direct}, {@code nginx}, {@code haproxy}, {@code sluice}. Prints the Markdown to stdout.
 *
 * <pre>
 * java -Djava.awt.headless=true -cp benchmarks.jar dev.sluice.bench.CompareReport SAMPLES PNG
 *     [--title TEXT] [--label WORKLOAD=TEXT]...
 * </pre>
 */
public final class CompareReport {

  static final List<String> PEERS = List.of("direct", "nginx", "haproxy", "sluice");
  static final Map<String, String> PEER_NAMES =
      Map.of("direct", "direct", "nginx", "nginx", "haproxy", "HAProxy", "sluice", "Sluice");
  private static final Color[] PEER_COLORS = {
    new Color(0x9e9e9e), new Color(0x2e7d32), new Color(0x1565c0), new Color(0xef6c00)
  };

  /** What a target compares Sluice with. */
  enum Target {
    NONE,
    /** Sluice / nginx at least the bound. */
    NGINX_RATIO_AT_LEAST,
    /** Sluice / nginx at most the bound. */
    NGINX_RATIO_AT_MOST,
    /** Sluice − nginx at most the bound. */
    NGINX_DELTA_AT_MOST,
    /** Sluice − direct at most the bound. */
    DIRECT_DELTA_AT_MOST
  }

  /** One row of the table and one panel of the chart. */
  record Metric(
      String workload,
      String metric,
      String label,
      String unit,
      boolean higherIsBetter,
      Target target,
      double bound,
      boolean charted) {}

  static final List<Metric> METRICS =
      List.of(
          new Metric(
              "bulk",
              "mibps",
              "bulk egress through the tcp proxy",
              "MiB/s",
              true,
              Target.NGINX_RATIO_AT_LEAST,
              0.80,
              true),
          new Metric(
              "bulk",
              "cpu_s_per_gib",
              "CPU of the proxy per GiB of bulk egress",
              "CPU s/GiB",
              false,
              Target.NGINX_RATIO_AT_MOST,
              1.25,
              true),
          new Metric(
              "http",
              "rps",
              "1 KiB HTTP responses, keep-alive (wrk)",
              "req/s",
              true,
              Target.NGINX_RATIO_AT_LEAST,
              0.80,
              true),
          new Metric(
              "http", "p50_ms", "1 KiB HTTP latency p50", "ms", false, Target.NONE, 0, false),
          new Metric(
              "http",
              "p99_ms",
              "1 KiB HTTP latency p99",
              "ms",
              false,
              Target.NGINX_DELTA_AT_MOST,
              1.0,
              true),
          new Metric(
              "sse",
              "ttfb_p50_ms",
              "SSE time to first byte p50",
              "ms",
              false,
              Target.NONE,
              0,
              true),
          new Metric(
              "sse",
              "ttfb_p99_ms",
              "SSE time to first byte p99",
              "ms",
              false,
              Target.DIRECT_DELTA_AT_MOST,
              1.0,
              true),
          new Metric(
              "sse",
              "stream_p50_s",
              "SSE whole stream p50 (pacing-bound)",
              "s",
              false,
              Target.NONE,
              0,
              false));

  private CompareReport() {}

  public static void main(String[] args) throws IOException {
    Path samplesFile = Path.of(args[0]);
    Path png = Path.of(args[1]);
    String title = "Sluice vs nginx vs HAProxy";
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--title" -> title = args[++i];
        case "--label" -> {
          String kv = args[++i];
          int eq = kv.indexOf('=');
          labels.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Samples samples = Samples.parse(Files.readAllLines(samplesFile, StandardCharsets.UTF_8));
    System.out.print(markdown(samples, labels));
    ImageIO.write(chart(samples, title), "png", png.toFile());
  }

  /** Samples by "workload/metric" then peer, in run order. */
  record Samples(Map<String, Map<String, List<Double>>> values) {

    static Samples parse(List<String> lines) {
      Map<String, Map<String, List<Double>>> v = new LinkedHashMap<>();
      for (String line : lines) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        if (f.length != 5) {
          throw new IllegalArgumentException("expected 5 tab-separated fields: " + line);
        }
        v.computeIfAbsent(f[0] + "/" + f[3], k -> new LinkedHashMap<>())
            .computeIfAbsent(f[1], k -> new ArrayList<>())
            .add(Double.parseDouble(f[4]));
      }
      return new Samples(v);
    }

    List<Double> of(String workload, String metric, String peer) {
      return values.getOrDefault(workload + "/" + metric, Map.of()).getOrDefault(peer, List.of());
    }

    double median(String workload, String metric, String peer) {
      return CompareReport.median(of(workload, metric, peer));
    }
  }

  /** The median of the finite values; NaN when there are none. */
  static double median(List<Double> values) {
    double[] v =
        values.stream().mapToDouble(Double::doubleValue).filter(Double::isFinite).toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static String markdown(Samples s, Map<String, String> labels) {
    StringBuilder md = new StringBuilder();
    md.append(
        "| workload | unit | direct | nginx | HAProxy | Sluice | Sluice / nginx | Sluice / HAProxy"
            + " | Sluice / direct | target (issue 5) | met |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    for (Metric m : METRICS) {
      double d = s.median(m.workload(), m.metric(), "direct");
      double n = s.median(m.workload(), m.metric(), "nginx");
      double h = s.median(m.workload(), m.metric(), "haproxy");
      double x = s.median(m.workload(), m.metric(), "sluice");
      String label = m.label();
      String extra = labels.get(m.workload());
      if (extra != null
          && (m.metric().equals("mibps")
              || m.metric().equals("rps")
              || m.metric().equals("ttfb_p50_ms"))) {
        label += " (" + extra + ")";
      }
      md.append("| ")
          .append(label)
          .append(" | ")
          .append(m.unit())
          .append(m.higherIsBetter() ? ", higher is better" : ", lower is better")
          .append(" | ")
          .append(fmt(d))
          .append(" | ")
          .append(fmt(n))
          .append(" | ")
          .append(fmt(h))
          .append(" | ")
          .append(fmt(x))
          .append(" | ")
          .append(ratio(x, n))
          .append(" | ")
          .append(ratio(x, h))
          .append(" | ")
          .append(ratio(x, d))
          .append(" | ")
          .append(targetText(m))
          .append(" | ")
          .append(verdict(m, d, n, x))
          .append(" |\n");
    }
    md.append("\nMedians over runs; ratios are of the medians. Raw samples, in run order:\n\n");
    md.append("| sample | direct | nginx | HAProxy | Sluice |\n|---|---|---|---|---|\n");
    for (Map.Entry<String, Map<String, List<Double>>> e : s.values().entrySet()) {
      md.append("| ").append(e.getKey());
      for (String peer : PEERS) {
        List<Double> v = e.getValue().getOrDefault(peer, List.of());
        md.append(" | ");
        boolean count = e.getKey().endsWith("/errors") || e.getKey().endsWith("/streams");
        List<String> parts = new ArrayList<>();
        for (double x : v) {
          parts.add(count ? String.format(Locale.ROOT, "%.0f", x) : fmt(x));
        }
        md.append(v.isEmpty() ? "—" : String.join(", ", parts));
      }
      md.append(" |\n");
    }
    return md.toString();
  }

  static String targetText(Metric m) {
    return switch (m.target()) {
      case NONE -> "";
      case NGINX_RATIO_AT_LEAST -> String.format(Locale.ROOT, "≥ %.2f × nginx", m.bound());
      case NGINX_RATIO_AT_MOST -> String.format(Locale.ROOT, "≤ %.2f × nginx", m.bound());
      case NGINX_DELTA_AT_MOST -> String.format(Locale.ROOT, "≤ nginx + %.0f ms", m.bound());
      case DIRECT_DELTA_AT_MOST -> String.format(Locale.ROOT, "≤ direct + %.0f ms", m.bound());
    };
  }

  static String verdict(Metric m, double direct, double nginx, double sluice) {
    double got;
    boolean met;
    String how;
    switch (m.target()) {
      case NGINX_RATIO_AT_LEAST -> {
        got = sluice / nginx;
        met = got >= m.bound();
        how = String.format(Locale.ROOT, "%.2f", got);
      }
      case NGINX_RATIO_AT_MOST -> {
        got = sluice / nginx;
        met = got <= m.bound();
        how = String.format(Locale.ROOT, "%.2f", got);
      }
      case NGINX_DELTA_AT_MOST -> {
        got = sluice - nginx;
        met = got <= m.bound();
        how = String.format(Locale.ROOT, "%+.2f ms", got);
      }
      case DIRECT_DELTA_AT_MOST -> {
        got = sluice - direct;
        met = got <= m.bound();
        how = String.format(Locale.ROOT, "%+.2f ms", got);
      }
      default -> {
        return "";
      }
    }
    if (!Double.isFinite(got)) {
      return "no data";
    }
    return (met ? "yes" : "**no**") + " (" + how + ")";
  }

  static String fmt(double v) {
    if (!Double.isFinite(v)) {
      return "—";
    }
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 1) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String ratio(double a, double b) {
    if (!Double.isFinite(a) || !Double.isFinite(b) || b == 0) {
      return "—";
    }
    return String.format(Locale.ROOT, "%.2f", a / b);
  }

  // ---- chart ----

  private static final int PANEL_W = 440;
  private static final int PANEL_H = 330;
  private static final int COLS = 3;
  private static final int TITLE_H = 70;

  static BufferedImage chart(Samples s, String title) {
    List<Metric> panels = METRICS.stream().filter(Metric::charted).toList();
    int rows = (panels.size() + COLS - 1) / COLS;
    int w = PANEL_W * COLS;
    int h = TITLE_H + PANEL_H * rows;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
      g.drawString(title, 20, 30);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      int lx = 20;
      for (int p = 0; p < PEERS.size(); p++) {
        g.setColor(PEER_COLORS[p]);
        g.fillRect(lx, 44, 14, 14);
        g.setColor(Color.BLACK);
        String name = PEER_NAMES.get(PEERS.get(p));
        g.drawString(name, lx + 20, 56);
        lx += 30 + g.getFontMetrics().stringWidth(name) + 20;
      }
      g.setColor(Color.DARK_GRAY);
      g.drawString("bars: median of runs; dots: each run", lx + 20, 56);
      for (int i = 0; i < panels.size(); i++) {
        int x0 = (i % COLS) * PANEL_W;
        int y0 = TITLE_H + (i / COLS) * PANEL_H;
        panel(g, s, panels.get(i), x0, y0);
      }
    } finally {
      g.dispose();
    }
    return img;
  }

  private static void panel(Graphics2D g, Samples s, Metric m, int x0, int y0) {
    int left = x0 + 62;
    int right = x0 + PANEL_W - 16;
    int top = y0 + 50;
    int bottom = y0 + PANEL_H - 44;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(m.label(), x0 + 14, y0 + 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(Color.DARK_GRAY);
    g.drawString(
        m.unit() + (m.higherIsBetter() ? ", higher is better" : ", lower is better"),
        x0 + 14,
        y0 + 37);
    double max = 0;
    for (String peer : PEERS) {
      for (double v : s.of(m.workload(), m.metric(), peer)) {
        if (Double.isFinite(v)) {
          max = Math.max(max, v);
        }
      }
    }
    if (max <= 0) {
      max = 1;
    }
    double step = niceStep(max / 4);
    double axisMax = Math.ceil(max * 1.12 / step) * step;
    FontMetrics fm = g.getFontMetrics();
    g.setStroke(new BasicStroke(1f));
    for (double t = 0; t <= axisMax + step / 2; t += step) {
      int y = bottom - (int) Math.round((bottom - top) * t / axisMax);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(left, y, right, y);
      g.setColor(Color.DARK_GRAY);
      String lab = fmt(t);
      g.drawString(lab, left - 6 - fm.stringWidth(lab), y + 4);
    }
    g.setColor(Color.BLACK);
    g.drawLine(left, top, left, bottom);
    g.drawLine(left, bottom, right, bottom);
    int slot = (right - left) / PEERS.size();
    int barW = (int) (slot * 0.62);
    for (int p = 0; p < PEERS.size(); p++) {
      String peer = PEERS.get(p);
      int cx = left + slot * p + slot / 2;
      List<Double> values = s.of(m.workload(), m.metric(), peer);
      double med = median(values);
      g.setColor(Color.BLACK);
      String name = PEER_NAMES.get(peer);
      g.drawString(name, cx - fm.stringWidth(name) / 2, bottom + 16);
      if (!Double.isFinite(med)) {
        g.setColor(Color.GRAY);
        g.drawString("n/a", cx - fm.stringWidth("n/a") / 2, bottom - 6);
        continue;
      }
      int y = bottom - (int) Math.round((bottom - top) * med / axisMax);
      g.setColor(PEER_COLORS[p]);
      g.fillRect(cx - barW / 2, y, barW, bottom - y);
      int labelY = y;
      int k = 0;
      for (double v : values) {
        if (!Double.isFinite(v)) {
          continue;
        }
        int vy = bottom - (int) Math.round((bottom - top) * v / axisMax);
        int dx = (k++ % 5 - 2) * 6;
        g.setColor(Color.WHITE);
        g.fillOval(cx + dx - 4, vy - 4, 8, 8);
        g.setColor(Color.BLACK);
        g.drawOval(cx + dx - 4, vy - 4, 8, 8);
        labelY = Math.min(labelY, vy - 4);
      }
      // The median above the bar and every dot, inside the panel.
      String lab = fmt(med);
      g.setColor(Color.BLACK);
      g.drawString(lab, cx - fm.stringWidth(lab) / 2, Math.max(top - 2, labelY - 5));
    }
    double sl = s.median(m.workload(), m.metric(), "sluice");
    double ng = s.median(m.workload(), m.metric(), "nginx");
    double hp = s.median(m.workload(), m.metric(), "haproxy");
    double di = s.median(m.workload(), m.metric(), "direct");
    List<String> notes = new ArrayList<>();
    if (Double.isFinite(sl / ng)) {
      notes.add("Sluice/nginx " + ratio(sl, ng));
    }
    if (Double.isFinite(sl / hp)) {
      notes.add("Sluice/HAProxy " + ratio(sl, hp));
    }
    if (m.target() == Target.DIRECT_DELTA_AT_MOST && Double.isFinite(sl - di)) {
      notes.add(String.format(Locale.ROOT, "Sluice−direct %+.2f ms", sl - di));
    }
    if (m.target() == Target.NGINX_DELTA_AT_MOST && Double.isFinite(sl - ng)) {
      notes.add(String.format(Locale.ROOT, "Sluice−nginx %+.2f ms", sl - ng));
    }
    g.setColor(Color.DARK_GRAY);
    g.drawString(String.join("   ", notes), x0 + 14, bottom + 34);
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * p >= raw) {
        return m * p;
      }
    }
    return 10 * p;
  }
}
