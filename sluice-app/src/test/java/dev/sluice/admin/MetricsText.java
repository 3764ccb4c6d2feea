package dev.sluice.admin;

import java.util.LinkedHashMap;
import java.util.Map;

/** A parsed Prometheus text exposition: each sample line as {@code series -> value}. */
record MetricsText(Map<String, Double> samples, Map<String, String> types) {

  static MetricsText parse(String text) {
    Map<String, Double> samples = new LinkedHashMap<>();
    Map<String, String> types = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        types.put(p[2], p[3]);
      } else if (!line.isEmpty() && !line.startsWith("#")) {
        int space = line.lastIndexOf(' ');
        String series = line.substring(0, space);
        if (samples.put(series, value(line.substring(space + 1))) != null) {
          throw new AssertionError("series twice: " + series);
        }
      }
    }
    return new MetricsText(samples, types);
  }

  private static double value(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  /** The value of {@code series}, e.g. {@code sluice_mode{mode="report"}}; fails if absent. */
  double get(String series) {
    Double v = samples.get(series);
    if (v == null) {
      throw new AssertionError("no series " + series + " in " + samples.keySet());
    }
    return v;
  }
}
