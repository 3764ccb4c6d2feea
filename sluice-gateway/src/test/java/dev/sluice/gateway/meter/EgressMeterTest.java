package dev.sluice.gateway.meter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link EgressMeter} on its own, in an {@code EmbeddedChannel}, for a listener of each mode
 * (the one class meters reverse responses, forward requests and tcp's egress direction): it charges
 * exactly the bytes written, stops at the budget with {@link Reason#BUDGET_EXHAUSTED} before a byte
 * of the unpaid write leaves, and what it counted is the evidence the ledger records.
 */
class EgressMeterTest {

  @TempDir Path dir;

  /** Records the refusals the meter reports, and ledgers them as the listeners' handlers do. */
  private static final class Refusals implements ConnectionMeter.Listener {
    final List<Refusal> seen = new ArrayList<>();
    final ListenerFixture f;
    final ConnectionRecord record;
    final String tenant;

    Refusals(ListenerFixture f, ConnectionRecord record, String tenant) {
      this.f = f;
      this.record = record;
      this.tenant = tenant;
    }

    @Override
    public void refused(ChannelHandlerContext meterCtx, Refusal r) {
      seen.add(r);
      f.lc.evidence().denied(record, tenant, r);
    }
  }

  private static void settle(EmbeddedChannel ch, BooleanSupplier done) throws InterruptedException {
    for (int i = 0; i < 400 && !done.getAsBoolean(); i++) {
      ch.runPendingTasks();
      Thread.sleep(5);
    }
    ch.runPendingTasks();
  }

  private static long outboundBytes(EmbeddedChannel ch) {
    long n = 0;
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      n += b.readableBytes();
      b.release();
    }
    return n;
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void chargesExactlyWhatIsWrittenAndRecordsIt(String mode) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, mode, "enforce")) {
      ConnectionRecord record = f.record();
      record.tenant("default");
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("default"));
      meter.listener(new Refusals(f, record, "default"));
      EmbeddedChannel ch = new EmbeddedChannel(meter);

      ChannelFuture first = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[300]));
      ChannelFuture second = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[200]));
      settle(ch, second::isDone);

      assertThat(first.isSuccess()).isTrue();
      assertThat(second.isSuccess()).isTrue();
      assertThat(outboundBytes(ch)).isEqualTo(500);
      assertThat(record.charged()).isEqualTo(500);
      assertThat(record.bytesOut()).isEqualTo(500);
      assertThat(meter.chargedSinceMark()).isEqualTo(500);
      assertThat(meter.refused()).isFalse();
      assertThat(f.stats.listener(mode).bytesOut.sum()).isEqualTo(500);

      f.lc.evidence().closed(record);
      ch.finishAndReleaseAll();
      List<LedgerEntry> connections = f.closeAndRead(EntryType.CONNECTION);
      assertThat(connections).hasSize(1);
      assertThat(connections.get(0).getString("listener")).isEqualTo(mode);
      assertThat(connections.get(0).getLong("charged")).isEqualTo(500L);
      assertThat(connections.get(0).getLong("bytes_out")).isEqualTo(500L);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void stopsAtTheBudgetWithTheReasonAndLedgersIt(String mode) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, mode, "enforce")) {
      ConnectionRecord record = f.record();
      record.tenant("small");
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("small"));
      Refusals refusals = new Refusals(f, record, "small");
      meter.listener(refusals);
      EmbeddedChannel ch = new EmbeddedChannel(meter);

      // 1KiB a day: 1000 bytes are paid, the next 100 are not.
      ChannelFuture paid = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[1000]));
      settle(ch, paid::isDone);
      assertThat(paid.isSuccess()).isTrue();
      // The first write of a new message is paid whole or refused whole (a 429 can still answer).
      meter.markMessageStart();
      ChannelFuture unpaid = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[100]));
      settle(ch, unpaid::isDone);

      assertThat(unpaid.isSuccess()).isFalse();
      assertThat(unpaid.cause()).isInstanceOf(RefusedException.class);
      assertThat(outboundBytes(ch)).isEqualTo(1000); // not a byte of the unpaid write
      assertThat(record.charged()).isEqualTo(1000);
      assertThat(meter.refused()).isTrue();
      assertThat(refusals.seen).hasSize(1);
      assertThat(refusals.seen.get(0).reason()).isEqualTo(Reason.BUDGET_EXHAUSTED);

      // Refused: later data writes fail at once, control writes still pass.
      ChannelFuture after = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[10]));
      assertThat(after.isSuccess()).isFalse();
      meter.control(() -> ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[20])));
      settle(ch, () -> record.controlBytes() == 20);
      assertThat(outboundBytes(ch)).isEqualTo(20);
      assertThat(record.controlBytes()).isEqualTo(20);
      assertThat(record.charged()).isEqualTo(1000);

      ch.finishAndReleaseAll();
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).hasSize(1);
      assertThat(denies.get(0).getString("listener")).isEqualTo(mode);
      assertThat(denies.get(0).getString("tenant")).isEqualTo("small");
      assertThat(denies.get(0).getString("reason")).isEqualTo("egress_budget_exhausted");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"reverse", "forward", "tcp"})
  void reportModeLetsTheBytesThroughAsWouldDeny(String mode) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, mode, "report")) {
      ConnectionRecord record = f.record();
      record.tenant("small");
      f.spendAll("small");
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("small"));
      List<Refusal> wouldDeny = new ArrayList<>();
      meter.listener(
          new ConnectionMeter.Listener() {
            @Override
            public void refused(ChannelHandlerContext meterCtx, Refusal r) {
              throw new AssertionError("report mode refused " + r);
            }

            @Override
            public void wouldDeny(ChannelHandlerContext meterCtx, Refusal r) {
              wouldDeny.add(r);
            }
          });
      EmbeddedChannel ch = new EmbeddedChannel(meter);

      ChannelFuture w = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[100]));
      settle(ch, w::isDone);

      assertThat(w.isSuccess()).isTrue();
      assertThat(outboundBytes(ch)).isEqualTo(100);
      assertThat(record.wouldDenyBytes()).isEqualTo(100);
      assertThat(wouldDeny).extracting(Refusal::reason).containsExactly(Reason.BUDGET_EXHAUSTED);
      ch.finishAndReleaseAll();
    }
  }

  /**
   * Issue 15, item 3: a client pushing 64 KiB reads as fast as it can through a stream (a tcp
   * listener's egress, a CONNECT tunnel's requests) against a 200,000-byte cap, many times the
   * escrow chunk. Each write that escrow cannot pay whole is paid in parts as refills come, so
   * every byte of the cap leaves, and the cut (budget exhausted) comes only once the cap is spent.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tcp", "forward", "reverse"})
  void aFastWriterGetsEveryByteOfTheCapBeforeTheCut(String mode) throws Exception {
    deliversTheWholeCap(mode, false);
  }

  /** The same, one 64 KiB write at a time (each waits for the last one to be written). */
  @ParameterizedTest
  @ValueSource(strings = {"tcp", "forward"})
  void aPacedWriterGetsEveryByteOfTheCapBeforeTheCut(String mode) throws Exception {
    deliversTheWholeCap(mode, true);
  }

  private void deliversTheWholeCap(String mode, boolean paced) throws Exception {
    long cap = 200_000;
    int size = 64 << 10;
    int writes = 4; // 262,144 bytes: more than the cap
    try (ListenerFixture f = new ListenerFixture(dir, mode, "enforce")) {
      ConnectionRecord record = f.record();
      record.tenant("stream");
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("stream"));
      Refusals refusals = new Refusals(f, record, "stream");
      meter.listener(refusals);
      EmbeddedChannel ch = new EmbeddedChannel(meter);

      List<ChannelFuture> sent = new ArrayList<>();
      long delivered = 0;
      for (int i = 0; i < writes && !meter.refused(); i++) {
        ChannelFuture w = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[size]));
        sent.add(w);
        if (paced) {
          settle(ch, w::isDone);
          delivered += outboundBytes(ch);
        }
      }
      ChannelFuture last = sent.get(sent.size() - 1);
      settle(ch, last::isDone);
      delivered += outboundBytes(ch);

      assertThat(delivered).as("bytes delivered of the cap").isEqualTo(cap);
      assertThat(record.charged()).isEqualTo(cap);
      assertThat(record.bytesOut()).isEqualTo(cap);
      assertThat(sent.get(0).isSuccess()).isTrue();
      assertThat(sent.get(1).isSuccess()).isTrue();
      assertThat(sent.get(2).isSuccess()).isTrue();
      assertThat(last.isSuccess()).isFalse(); // only 200,000 - 3 * 65,536 = 3,392 of it left
      assertThat(meter.refused()).isTrue();
      assertThat(refusals.seen)
          .extracting(Refusal::reason)
          .containsExactly(Reason.BUDGET_EXHAUSTED);
      assertThat(f.lc.account("stream").available()).isZero();

      f.lc.evidence().closed(record);
      ch.finishAndReleaseAll();
      List<LedgerEntry> connections = f.closeAndRead(EntryType.CONNECTION);
      assertThat(connections).hasSize(1);
      assertThat(connections.get(0).getLong("charged")).isEqualTo(cap);
      assertThat(connections.get(0).getLong("bytes_out")).isEqualTo(cap);
    }
  }

  /**
   * On a stream (tcp, a tunnel) even the first write is paid in part: a 2,000-byte read against a
   * 1KiB cap sends 1,024 bytes, then cuts. Without {@link EgressMeter#stream()} (an HTTP message
   * whose refusal can still be answered) the same write is refused whole.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void aStreamPaysEvenItsFirstWriteInPart(boolean stream) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "tcp", "enforce")) {
      ConnectionRecord record = f.record();
      record.tenant("small");
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("small"));
      Refusals refusals = new Refusals(f, record, "small");
      meter.listener(refusals);
      if (stream) {
        meter.stream();
      }
      EmbeddedChannel ch = new EmbeddedChannel(meter);

      ChannelFuture w = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[2000]));
      settle(ch, w::isDone);

      long expected = stream ? 1024 : 0;
      assertThat(w.isSuccess()).isFalse();
      assertThat(outboundBytes(ch)).isEqualTo(expected);
      assertThat(record.charged()).isEqualTo(expected);
      assertThat(meter.chargedSinceMark()).isEqualTo(expected);
      assertThat(refusals.seen)
          .extracting(Refusal::reason)
          .containsExactly(Reason.BUDGET_EXHAUSTED);
      ch.finishAndReleaseAll();
    }
  }
}
