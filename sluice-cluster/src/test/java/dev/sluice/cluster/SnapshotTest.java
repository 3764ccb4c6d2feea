package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotTest {

  private static Versioned v(String value, long rev) {
    return new Versioned(value.getBytes(), rev, 1);
  }

  @Test
  void answersEachKeyOnceEvenWhileTheCacheMoves() {
    // A transaction computes a counter's new value and compares its revision: both must come
    // from the same reading (a race test once caught an overshoot from two different readings).
    KeyCache cache = new KeyCache();
    cache.apply("k", v("10", 5));
    Snapshot s = Snapshot.cached(cache);
    Versioned first = s.get("k");
    cache.apply("k", v("20", 6));
    assertThat(s.get("k")).isSameAs(first);
    assertThat(Snapshot.cached(cache).get("k").modRevision()).isEqualTo(6);
  }

  @Test
  void freshValuesGiveWayOnlyToNewerRevisions() {
    KeyCache cache = new KeyCache();
    cache.apply("a", v("1", 3));
    cache.apply("b", v("2", 9));
    Snapshot s = Snapshot.fresh(Map.of("a", v("5", 7), "b", v("6", 7)), cache);
    assertThat(s.get("a").asCounter("a")).isEqualTo(5);
    assertThat(s.get("b").asCounter("b")).isEqualTo(2);
    assertThat(s.fresh("a")).isTrue();
    assertThat(s.fresh("c")).isFalse();
    assertThat(s.get("c")).isSameAs(Versioned.ABSENT);
  }

  @Test
  void cacheNeverGoesBackAndTombstonesKeepTheirRevision() {
    KeyCache cache = new KeyCache();
    cache.apply("k", v("2", 8));
    cache.apply("k", v("1", 4));
    assertThat(cache.get("k").asCounter("k")).isEqualTo(2);
    cache.apply("k", Versioned.deleted(9));
    cache.apply("k", v("2", 8));
    assertThat(cache.get("k").exists()).isFalse();
    cache.reset(Map.of("x", v("1", 10)), 10);
    cache.apply("y", v("1", 11));
    cache.reset(Map.of("x", v("1", 10)), 10);
    assertThat(cache.get("y").exists()).as("changed after the listing").isTrue();
  }
}
