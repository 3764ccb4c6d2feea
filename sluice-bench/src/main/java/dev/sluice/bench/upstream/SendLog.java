package dev.sluice.bench.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When each event of each stream was handed to the socket, so that a client measuring latency can
 * compare its receive times with the send times: wall-clock nanoseconds since the epoch, derived
 * from one wall reading at start plus the monotonic clock since (so they share the client's epoch
 * on the same machine and never step back). Keeps the last {@value #KEPT} streams. Thread-safe.
 */
final class SendLog {
  static final int KEPT = 10_000;

  private final Clock clock;
  private final long epochNanosAtStart;
  private final long nanosAtStart;
  private final Map<Long, Entry> streams =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Entry> eldest) {
          return size() > KEPT;
        }
      };
  private long nextId = 1;

  /** One stream's sends. */
  static final class Entry {
    final long id;
    final String family;
    private long[] times = new long[64];
    private int count;

    Entry(long id, String family) {
      this.id = id;
      this.family = family;
    }

    synchronized void add(long epochNanos) {
      if (count == times.length) {
        times = java.util.Arrays.copyOf(times, count * 2);
      }
      times[count++] = epochNanos;
    }

    synchronized long[] times() {
      return java.util.Arrays.copyOf(times, count);
    }
  }

  SendLog(Clock clock) {
    this.clock = clock;
    this.nanosAtStart = clock.nanos();
    this.epochNanosAtStart = clock.millis() * 1_000_000L;
  }

  /** Opens the log of a new stream. */
  synchronized Entry open(String family) {
    Entry e = new Entry(nextId++, family);
    streams.put(e.id, e);
    return e;
  }

  /** Nanoseconds since the epoch, now. */
  long epochNanos() {
    return epochNanosAtStart + (clock.nanos() - nanosAtStart);
  }

  synchronized Optional<Entry> get(long id) {
    return Optional.ofNullable(streams.get(id));
  }

  /** {@code {"id":..,"family":..,"events":N,"send_epoch_nanos":[..]}}. */
  static String json(Entry e) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("id", e.id);
    o.put("family", e.family);
    long[] t = e.times();
    o.put("events", t.length);
    ArrayNode a = o.putArray("send_epoch_nanos");
    for (long x : t) {
      a.add(x);
    }
    return o.toString();
  }
}
