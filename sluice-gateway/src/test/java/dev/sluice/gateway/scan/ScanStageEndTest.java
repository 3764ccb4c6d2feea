package dev.sluice.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.DetectionConfig;
import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of a byte stream that is not a close ({@link ScanStage#endOfStream}, a tcp half-close),
 * in an {@link EmbeddedChannel} with frozen time (the hold deadline never passes) and a real
 * ledger: weights that only the end can judge (less than one tensor window, after two windows of
 * text) are cut there with nothing of them out; a clean stream leaves whole at once; bytes written
 * after the end are refused.
 */
class ScanStageEndTest {

  private static final int TEXT = 2 * 128 * 1024;

  @TempDir Path dir;

  private static EmbeddedChannel channel(ListenerFixture f, ConnectionRecord rec) {
    Detector d =
        new Detector(
            new DetectionConfig(null, true, DetectionConfig.Action.BLOCK),
            null,
            f.lc.evidence(),
            "tcp",
            "inference");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast("scan", d.stage(rec));
    return ch;
  }

  /** {@code n} float32 values drawn like trained weights (normal, small), little-endian. */
  private static byte[] floats(int n, long seed) {
    Random r = new Random(seed);
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat((float) (r.nextGaussian() * 0.04));
    }
    return b.array();
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

  /** Lets the ledger write what is queued (a cut waits for it), then runs the waiting tasks. */
  private static long ledgered(ListenerFixture f, EmbeddedChannel ch) {
    f.close();
    ch.runPendingTasks();
    return drain(ch);
  }

  @Test
  void weightsOnlyTheEndCanJudgeAreCutThereBeforeTheyLeave() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "tcp", "enforce")) {
      ConnectionRecord rec = f.record();
      EmbeddedChannel ch = channel(f, rec);
      ch.writeAndFlush(Unpooled.wrappedBuffer(RandomWeights.text(TEXT, 5)));
      ch.writeAndFlush(Unpooled.wrappedBuffer(floats(16 * 1024, 9))); // 64 KiB
      long left = drain(ch);
      assertThat(left).as("all held: less than the hold-back").isZero();
      assertThat(f.read(EntryType.DETECTION)).as("nothing judged before the end").isEmpty();

      ScanStage.endOfStream(ch);
      ChannelFuture fin = ch.writeAndFlush(Unpooled.EMPTY_BUFFER); // what HalfClose writes next
      left += ledgered(f, ch);

      assertThat(left).as("nothing of the stream left").isZero();
      assertThat(ch.isActive()).as("cut").isFalse();
      assertThat(fin.isSuccess()).as("the FIN is not passed on").isFalse();
      assertThat(rec.reason()).isEqualTo("weights_detected");
      LedgerEntry e = f.read(EntryType.DETECTION).get(0);
      assertThat(e.getString("kind")).isEqualTo("tensor");
      assertThat(e.getLong("offset")).isGreaterThanOrEqualTo(TEXT);
      assertThat(e.getLong("bytes_out")).isZero();
    }
  }

  @Test
  void aCleanStreamLeavesWholeAtItsEndAndNothingMayFollow() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "tcp", "enforce")) {
      EmbeddedChannel ch = channel(f, f.record());
      byte[] text = RandomWeights.text(300_000, 6);
      ch.writeAndFlush(Unpooled.wrappedBuffer(text));
      assertThat(drain(ch)).isZero();

      ScanStage.endOfStream(ch);
      assertThat(drain(ch)).as("released at the end, not at the deadline").isEqualTo(text.length);
      assertThat(ch.writeAndFlush(Unpooled.EMPTY_BUFFER).isSuccess()).isTrue();
      ChannelFuture after = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
      assertThat(after.isSuccess()).as("bytes after the end are refused").isFalse();
      assertThat(drain(ch)).isZero();
      ch.close();
      assertThat(f.closeAndRead(EntryType.DETECTION)).isEmpty();
    }
  }
}
