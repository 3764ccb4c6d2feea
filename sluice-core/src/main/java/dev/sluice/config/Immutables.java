package dev.sluice.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** Deep-immutable copies for the configuration records. */
final class Immutables {

  private Immutables() {}

  /** An unmodifiable copy of {@code map} that keeps insertion order; no null keys or values. */
  static <K, V> Map<K, V> orderedCopy(Map<K, V> map, String what) {
    Objects.requireNonNull(map, what);
    Map<K, V> copy = new LinkedHashMap<>();
    map.forEach(
        (k, v) ->
            copy.put(Objects.requireNonNull(k, what + " key"), Objects.requireNonNull(v, what)));
    return Collections.unmodifiableMap(copy);
  }

  /** Like {@link #orderedCopy}, and checks that every key equals the name its value carries. */
  static <V> Map<String, V> namedCopy(Map<String, V> map, Function<V, String> name, String what) {
    Map<String, V> copy = orderedCopy(map, what);
    copy.forEach(
        (k, v) -> {
          if (!k.equals(name.apply(v))) {
            throw new IllegalArgumentException(
                what + " key '" + k + "' differs from the name '" + name.apply(v) + "'");
          }
        });
    return copy;
  }
}
