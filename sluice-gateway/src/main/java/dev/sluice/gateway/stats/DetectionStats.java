package dev.sluice.gateway.stats;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Findings of the scan stage: {@code sluice_detections_total{listener,zone,kind,action}} and the
 * newest finding of each label set, which the {@code SluiceWeightsDetected} alert reads. Bumped on
 * the event loops, read at scrape and evaluation time. Thread-safe.
 */
public final class DetectionStats {

  /** The labels of one counter. */
  public record Key(String listener, String zone, String kind, String action) {
    public List<String> values() {
      return List.of(listener, zone, kind, action);
    }
  }

  /** The newest finding: when (epoch ms) and its labels and a one-line description. */
  public record Latest(long atMillis, Key key, String description) {}

  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private final Map<Key, Latest> latest = new ConcurrentHashMap<>();

  /** Counts one finding. */
  public void detected(Key key, long atMillis, String description) {
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    total.incrementAndGet();
    latest.put(key, new Latest(atMillis, key, description));
  }

  public Map<Key, LongAdder> counts() {
    return Collections.unmodifiableMap(counts);
  }

  /** Findings since start. */
  public long total() {
    return total.get();
  }

  /** The newest finding of each key. */
  public Map<Key, Latest> latest() {
    return Collections.unmodifiableMap(latest);
  }
}
