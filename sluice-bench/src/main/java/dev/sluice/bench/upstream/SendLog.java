package dev.sluice.bench.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.time.Clock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When each event of each stream was handed to the socket, so that a client measuring latency can
 * compare its receive times with the send times: wall-clock nanoseconds since the epoch, derived
 * from one wall reading at start plus the monotonic clock since (so they share the client's epoch
 * on the same machine and never step back). Each stream also keeps what it was to send: the size of
 * each write (so a client finds where each event ends in the body it decoded, however a proxy
 * re-chunked it), the SHA-256 of the whole body (so a client checks it got these bytes exactly) and
 * the UTF-8 bytes of its answer text. Keeps the last {@value #KEPT} streams. Thread-safe.
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
    final int[] sizes;
    final String bodySha256;
    final int textBytes;
    private long[] times = new long[64];
    private int count;

    Entry(long id, FamilyStream stream) {
      this.id = id;
      this.family = stream.family().id();
      this.sizes = stream.writes().stream().mapToInt(w -> w.length).toArray();
      this.bodySha256 = sha256(stream.body());
      this.textBytes = stream.text().getBytes(StandardCharsets.UTF_8).length;
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

  /** Opens the log of a new stream that will send {@code stream}. */
  synchronized Entry open(FamilyStream stream) {
    Entry e = new Entry(nextId++, stream);
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

  /**
   * {@code {"id":..,"family":..,"events":N,"send_epoch_nanos":[..],"sizes":[..],"body_sha256":..,
   * "text_bytes":..}}: {@code events} counts the writes sent so far, {@code sizes} all of them.
   */
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
    ArrayNode sizes = o.putArray("sizes");
    for (int x : e.sizes) {
      sizes.add(x);
    }
    o.put("body_sha256", e.bodySha256);
    o.put("text_bytes", e.textBytes);
    return o.toString();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
