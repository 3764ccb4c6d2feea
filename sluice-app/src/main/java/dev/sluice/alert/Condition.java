package dev.sluice.alert;

import java.util.Map;
import java.util.Objects;

/**
 * A condition that holds now: what would fire. {@code stickyUntilMillis} is for threshold alerts,
 * which stay firing until their limit's period ends even if the spent bytes fall (returned escrow),
 * so they fire once per period; -1 for conditions that resolve as soon as they stop holding.
 */
record Condition(
    String key,
    Map<String, String> labels,
    String summary,
    String description,
    long stickyUntilMillis) {

  Condition {
    Objects.requireNonNull(key, "key");
    labels = Map.copyOf(labels);
  }

  Alert fire(long nowMillis) {
    return new Alert(
        key,
        Alert.Status.FIRING,
        new java.util.TreeMap<>(labels),
        new java.util.TreeMap<>(Map.of("summary", summary, "description", description)),
        nowMillis,
        -1);
  }
}
