package dev.sluice.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.DetectionConfig;
import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte-level scan stage in an {@link EmbeddedChannel} (frozen time, so the hold-back deadline
 * moves only when the test advances it), with a real ledger: weights are stopped before their
 * matched chunk leaves and ledgered, alerted weights pass and are ledgered, text and small events
 * pass (the small ones after the deadline, not later).
 */
class ScanStageTest {

  @TempDir static Path weightsDir;
  @TempDir Path dir;

  private static final long HOLD_MS = DetectionConfig.DEFAULT_HOLD.toMillis();

  static RandomWeights weights;

  @BeforeAll
  static void index() throws Exception {
    weights = new RandomWeights(weightsDir, 2 << 20, 17);
  }

  private static EmbeddedChannel channel(Detector d, ConnectionRecord rec) {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast("scan", d.stage(rec));
    return ch;
  }

  private static Detector detector(ListenerFixture f, DetectionConfig.Action action) {
    return new Detector(
        new DetectionConfig(Path.of("w.sfi"), false, action),
        weights.index,
        f.lc.evidence(),
        "tcp",
        "inference");
  }

  /**
   * Writes {@code data} in pieces of {@code piece} bytes, each flushed; returns bytes that left.
   */
  private static long writeFlushed(EmbeddedChannel ch, byte[] data, int piece) {
    for (int off = 0; off < data.length && ch.isActive(); off += piece) {
      int n = Math.min(piece, data.length - off);
      ch.writeAndFlush(Unpooled.wrappedBuffer(data, off, n));
    }
    return drain(ch);
  }

  /**
   * Lets the ledger write everything queued (a cut waits for its entry) and runs the tasks that
   * were waiting for it; returns bytes that left meanwhile.
   */
  private static long ledgered(ListenerFixture f, EmbeddedChannel ch) {
    f.close();
    ch.runPendingTasks();
    return drain(ch);
  }

  private static long drain(EmbeddedChannel ch) {
    long n = 0;
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      n += b.readableBytes();
      b.release();
    }
    return n;
  }

  @Test
  void blockStopsTheWeightsBeforeTheMatchedChunkLeaves() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "tcp", "enforce")) {
      ConnectionRecord rec = f.record();
      EmbeddedChannel ch = channel(detector(f, DetectionConfig.Action.BLOCK), rec);
      byte[] prefix = RandomWeights.text(300_000, 3); // a long innocent start
      byte[] slice = weights.slice(123_457, 1 << 20);
      byte[] stream = concat(prefix, slice);
      long left = writeFlushed(ch, stream, 16 * 1024);
      left += ledgered(f, ch);

      assertThat(ch.isActive()).as("cut").isFalse();
      assertThat(left).as("nothing of the weights left").isLessThanOrEqualTo(prefix.length);
      assertThat(rec.reason()).isEqualTo("weights_detected");
      List<LedgerEntry> d = f.closeAndRead(EntryType.DETECTION);
      assertThat(d).hasSize(1);
      LedgerEntry e = d.get(0);
      assertThat(e.getString("kind")).isEqualTo("fingerprint");
      assertThat(e.getString("action")).isEqualTo("block");
      assertThat(e.getString("source")).isEqualTo("weights.bin");
      assertThat(e.getString("lane")).isEqualTo("raw");
      assertThat(e.getLong("blocked")).isEqualTo(1);
      assertThat(e.getLong("bytes_out")).isEqualTo(left);
      assertThat(e.getLong("offset"))
          .isGreaterThanOrEqualTo(left)
          .isGreaterThanOrEqualTo(prefix.length);
      assertThat(f.stats.detections().total()).isEqualTo(1);
    }
  }

  @Test
  void base64WeightsAreStoppedToo() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "tcp", "enforce")) {
      ConnectionRecord rec = f.record();
      EmbeddedChannel ch = channel(detector(f, DetectionConfig.Action.BLOCK), rec);
      byte[] b64 = Base64.getEncoder().encode(weights.slice(500_001, 1 << 20));
      byte[] stream = concat("{\"file\":\"".getBytes(), b64);
      long left = writeFlushed(ch, stream, 8 * 1024);
      left += ledgered(f, ch);

      assertThat(ch.isActive()).isFalse();
      LedgerEntry e = f.closeAndRead(EntryType.DETECTION).get(0);
      assertThat(e.getString("lane")).isEqualTo("base64");
      assertThat(e.getLong("offset")).isGreaterThanOrEqualTo(left);
    }
  }

  @Test
  void alertLetsTheBytesGoAndRecordsThem() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "tcp", "enforce")) {
      ConnectionRecord rec = f.record();
      EmbeddedChannel ch = channel(detector(f, DetectionConfig.Action.ALERT), rec);
      byte[] slice = weights.slice(7, 1 << 20);
      long left = writeFlushed(ch, slice, 32 * 1024);

      assertThat(ch.isActive()).isTrue();
      assertThat(left).as("all bytes left at once").isEqualTo(slice.length);
      LedgerEntry e = f.closeAndRead(EntryType.DETECTION).get(0);
      assertThat(e.getString("action")).isEqualTo("alert");
      assertThat(e.getLong("blocked")).isZero();
    }
  }

  @Test
  void textPassesAndSmallEventsWaitOnlyForTheDeadline() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "tcp", "enforce")) {
      EmbeddedChannel ch = channel(detector(f, DetectionConfig.Action.BLOCK), f.record());
      byte[] text = RandomWeights.text(1 << 20, 9);
      long left = writeFlushed(ch, text, 16 * 1024);
      assertThat(left)
          .as("all but the held back bytes")
          .isEqualTo(text.length - heldAfter(text.length, 16 * 1024));
      ch.advanceTimeBy(HOLD_MS, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      assertThat(left + drain(ch)).isEqualTo(text.length);

      ch.writeAndFlush(Unpooled.wrappedBuffer("data: {\"token\":\"hi\"}\n\n".getBytes()));
      assertThat(drain(ch)).as("held until the deadline").isZero();
      ch.advanceTimeBy(HOLD_MS - 1, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      assertThat(drain(ch)).isZero();
      ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      assertThat(drain(ch)).isEqualTo(22);
      ch.close();
      assertThat(f.closeAndRead(EntryType.DETECTION)).isEmpty();
    }
  }

  /** Bytes a blocking stage still holds after writes of {@code piece} bytes. */
  private static long heldAfter(int total, int piece) {
    long held = 0;
    for (int off = 0; off < total; off += piece) {
      held += Math.min(piece, total - off);
      while (held - piece >= HoldBack.LIMIT) {
        held -= piece;
      }
    }
    return held;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
