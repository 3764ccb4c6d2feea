package dev.sluice.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the optional {@code alerts} section ({@link AlertsConfig}): absent means no alerting
 * ({@code null} without a problem); any error is reported at its key and also gives {@code null},
 * which the caller tells apart by the error count.
 */
final class AlertsReader {

  private AlertsReader() {}

  static AlertsConfig read(Cursor c, Duration checkpointInterval) {
    if (c == null) {
      return null;
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow(
        "webhooks",
        "thresholds",
        "interval",
        "rate",
        "incompressible",
        "checkpoint_max_age",
        "backoff",
        "queue",
        "external_url");
    int errorsBefore = c.problems().errorCount();
    List<AlertsConfig.Webhook> hooks = webhooks(m.get("webhooks"));
    List<Integer> thresholds = thresholds(m.get("thresholds"));
    Duration interval =
        duration(
            m.get("interval"),
            AlertsConfig.DEFAULT_INTERVAL,
            AlertsConfig.MIN_INTERVAL,
            AlertsConfig.MAX_INTERVAL);
    AlertsConfig.Rate rate = rate(m.get("rate"));
    if (rate != null && interval != null && rate.window().compareTo(interval.multipliedBy(2)) < 0) {
      Cursor at = m.get("rate");
      (at == null ? c : at)
          .warning(
              "alerts.rate.window ("
                  + Durations.format(rate.window())
                  + ") is shorter than two alerts.interval ("
                  + Durations.format(interval)
                  + "): the window's rate is measured over fewer than two samples");
    }
    Cursor incompressibleAt = m.get("incompressible");
    AlertsConfig.Incompressible incompressible = incompressible(incompressibleAt);
    if (incompressible != null
        && interval != null
        && incompressible.window().compareTo(interval.multipliedBy(2)) < 0) {
      (incompressibleAt == null ? c : incompressibleAt)
          .warning(
              "alerts.incompressible.window ("
                  + Durations.format(incompressible.window())
                  + ") is shorter than two alerts.interval ("
                  + Durations.format(interval)
                  + "): the window holds fewer than two samples");
    }
    Cursor ageAt = m.get("checkpoint_max_age");
    Duration age =
        duration(
            ageAt,
            AlertsConfig.DEFAULT_CHECKPOINT_MAX_AGE,
            AlertsConfig.MIN_CHECKPOINT_MAX_AGE,
            AlertsConfig.MAX_CHECKPOINT_MAX_AGE);
    if (age != null && checkpointInterval != null && age.compareTo(checkpointInterval) <= 0) {
      (ageAt == null ? c : ageAt)
          .error(
              "must be longer than ledger.checkpoint_interval ("
                  + Durations.format(checkpointInterval)
                  + "), or every checkpoint would be late");
    }
    Duration[] backoff = backoff(m.get("backoff"));
    Cursor queueAt = m.get("queue");
    Long queue =
        queueAt == null
            ? Long.valueOf(AlertsConfig.DEFAULT_QUEUE)
            : Scalars.count(queueAt, 1, AlertsConfig.MAX_QUEUE);
    Cursor externalAt = m.get("external_url");
    URI external =
        externalAt == null
            ? null
            : externalAt.parse("a URL such as https://sluice.example/", AlertsConfig::checkUrl);
    if (c.problems().errorCount() > errorsBefore) {
      return null;
    }
    return new AlertsConfig(
        hooks,
        thresholds,
        interval,
        rate,
        incompressible,
        age,
        backoff[0],
        backoff[1],
        queue.intValue(),
        external);
  }

  private static List<AlertsConfig.Webhook> webhooks(Cursor c) {
    List<AlertsConfig.Webhook> hooks = new ArrayList<>();
    List<Cursor> items = c == null ? List.of() : c.list();
    if (items == null) {
      return hooks;
    }
    List<URI> seen = new ArrayList<>();
    for (Cursor item : items) {
      YamlMap m = item.map();
      if (m == null) {
        continue;
      }
      m.allow("url", "timeout");
      Cursor urlAt = m.require("url");
      URI url =
          urlAt == null
              ? null
              : urlAt.parse(
                  "a URL such as http://alertmanager:9093/api/v1/alerts", AlertsConfig::checkUrl);
      if (url != null && seen.contains(url)) {
        urlAt.error("webhook listed twice");
        url = null;
      }
      Duration timeout =
          duration(
              m.get("timeout"),
              AlertsConfig.DEFAULT_WEBHOOK_TIMEOUT,
              AlertsConfig.MIN_WEBHOOK_TIMEOUT,
              AlertsConfig.MAX_WEBHOOK_TIMEOUT);
      if (url != null && timeout != null) {
        seen.add(url);
        hooks.add(new AlertsConfig.Webhook(url, timeout));
      }
    }
    return hooks;
  }

  private static List<Integer> thresholds(Cursor c) {
    if (c == null) {
      return AlertsConfig.DEFAULT_THRESHOLDS;
    }
    List<Cursor> items = c.list();
    if (items == null) {
      return AlertsConfig.DEFAULT_THRESHOLDS;
    }
    List<Integer> out = new ArrayList<>();
    int last = 0;
    for (Cursor item : items) {
      Integer p = Scalars.percent(item, 1, 100);
      if (p == null) {
        continue;
      }
      if (p <= last) {
        item.error("thresholds must be ascending and distinct, e.g. [ 50%, 80%, 100% ]");
        continue;
      }
      last = p;
      out.add(p);
    }
    return out;
  }

  private static AlertsConfig.Rate rate(Cursor c) {
    if (c == null) {
      return AlertsConfig.Rate.DEFAULTS;
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow("multiple", "window", "trailing", "min_bytes_per_second");
    Cursor multipleAt = m.get("multiple");
    Long multiple =
        multipleAt == null
            ? Long.valueOf(AlertsConfig.Rate.DEFAULT_MULTIPLE)
            : Scalars.count(multipleAt, 2, 1_000_000);
    Duration window =
        duration(
            m.get("window"),
            AlertsConfig.Rate.DEFAULT_WINDOW,
            AlertsConfig.Rate.MIN_WINDOW,
            AlertsConfig.Rate.MAX_WINDOW);
    Cursor trailingAt = m.get("trailing");
    Duration trailing =
        duration(
            trailingAt,
            AlertsConfig.Rate.DEFAULT_TRAILING,
            AlertsConfig.Rate.MIN_WINDOW.multipliedBy(2),
            AlertsConfig.Rate.MAX_TRAILING);
    if (window != null && trailing != null && trailing.compareTo(window.multipliedBy(2)) < 0) {
      (trailingAt == null ? c : trailingAt)
          .error(
              "must be at least twice alerts.rate.window ("
                  + Durations.format(window)
                  + "): the trailing average is what the window's rate is compared with");
      return null;
    }
    Cursor floorAt = m.get("min_bytes_per_second");
    Long floor =
        floorAt == null
            ? Long.valueOf(AlertsConfig.Rate.DEFAULT_MIN_BYTES_PER_SECOND)
            : Scalars.size(floorAt, 1, Long.MAX_VALUE);
    if (multiple == null || window == null || trailing == null || floor == null) {
      return null;
    }
    return new AlertsConfig.Rate(multiple, window, trailing, floor);
  }

  /** {@code alerts.incompressible}: a map, {@code true} (the defaults) or {@code false} (off). */
  private static AlertsConfig.Incompressible incompressible(Cursor c) {
    if (c == null) {
      return AlertsConfig.Incompressible.DEFAULTS;
    }
    if (c.isBool()) {
      Boolean on = c.bool();
      return Boolean.TRUE.equals(on) ? AlertsConfig.Incompressible.DEFAULTS : null;
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow("window", "ratio", "min_bytes");
    Duration window =
        duration(
            m.get("window"),
            AlertsConfig.Incompressible.DEFAULT_WINDOW,
            AlertsConfig.Incompressible.MIN_WINDOW,
            AlertsConfig.Incompressible.MAX_WINDOW);
    Cursor ratioAt = m.get("ratio");
    Double ratio =
        ratioAt == null
            ? Double.valueOf(AlertsConfig.Incompressible.DEFAULT_RATIO)
            : ratio(ratioAt);
    Cursor minAt = m.get("min_bytes");
    Long min =
        minAt == null
            ? Long.valueOf(AlertsConfig.Incompressible.DEFAULT_MIN_BYTES)
            : Scalars.size(minAt, 1, Long.MAX_VALUE);
    if (window == null || ratio == null || min == null) {
      return null;
    }
    return new AlertsConfig.Incompressible(window, ratio, min);
  }

  /** A compressed/raw ratio: {@code 0.85} or {@code 85%}, between 0.1 and 1. */
  private static Double ratio(Cursor c) {
    String text = c.string("a ratio such as 0.85");
    if (text == null) {
      return null;
    }
    String t = text.strip();
    boolean percent = t.endsWith("%");
    String digits = percent ? t.substring(0, t.length() - 1).strip() : t;
    if (!digits.matches("[0-9]{1,3}(\\.[0-9]{1,6})?")) {
      c.error("expected a ratio such as 0.85 or 85%");
      return null;
    }
    double v = Double.parseDouble(digits) / (percent ? 100 : 1);
    if (v < AlertsConfig.Incompressible.MIN_RATIO || v > AlertsConfig.Incompressible.MAX_RATIO) {
      c.error("must be between 0.1 and 1 (the compressed size over the raw size)");
      return null;
    }
    return v;
  }

  private static Duration[] backoff(Cursor c) {
    Duration[] d = {AlertsConfig.DEFAULT_BACKOFF_INITIAL, AlertsConfig.DEFAULT_BACKOFF_MAX};
    if (c == null) {
      return d;
    }
    YamlMap m = c.map();
    if (m == null) {
      return d;
    }
    m.allow("initial", "max");
    d[0] =
        duration(
            m.get("initial"),
            AlertsConfig.DEFAULT_BACKOFF_INITIAL,
            AlertsConfig.MIN_BACKOFF,
            AlertsConfig.MAX_BACKOFF);
    Cursor maxAt = m.get("max");
    d[1] =
        duration(
            maxAt,
            AlertsConfig.DEFAULT_BACKOFF_MAX,
            AlertsConfig.MIN_BACKOFF,
            AlertsConfig.MAX_BACKOFF);
    if (d[0] != null && d[1] != null && d[1].compareTo(d[0]) < 0) {
      (maxAt == null ? c : maxAt)
          .error("must be at least alerts.backoff.initial (" + Durations.format(d[0]) + ")");
    }
    return d;
  }

  private static Duration duration(Cursor c, Duration dflt, Duration min, Duration max) {
    return c == null ? dflt : Scalars.duration(c, min, max);
  }
}
