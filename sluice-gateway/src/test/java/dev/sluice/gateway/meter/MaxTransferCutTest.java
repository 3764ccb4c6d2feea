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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A byte stream (a CONNECT tunnel's or a tcp connection's egress, what {@link EgressMeter#stream()}
 * meters) is cut when its count would pass the zone's {@code max_transfer}: every byte up to the
 * limit leaves, none beyond it, and the cut is ledgered as {@code transfer_too_large}.
 */
class MaxTransferCutTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"forward", "tcp"})
  void aStreamIsCutAtMaxTransferAndTheCutIsLedgered(String mode) throws Exception {
    try (ListenerFixture f = ListenerFixture.withMaxTransfer(dir, mode, "enforce", "4KiB")) {
      ConnectionRecord record = f.record();
      record.tenant("default");
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("default"));
      meter.stream();
      meter.maxTransfer(f.lc.maxTransfer());
      List<Refusal> seen = new ArrayList<>();
      meter.listener(
          new ConnectionMeter.Listener() {
            @Override
            public void refused(ChannelHandlerContext meterCtx, Refusal r) {
              seen.add(r);
              f.lc.evidence().denied(record, "default", r);
            }
          });
      EmbeddedChannel ch = new EmbeddedChannel(meter);
      meter.markMessageStart();

      List<ChannelFuture> writes = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        writes.add(ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[1000])));
        for (int n = 0; n < 400 && !writes.get(i).isDone(); n++) {
          ch.runPendingTasks(); // the escrow refill is answered on the store's thread
          Thread.sleep(5);
        }
      }

      assertThat(writes)
          .extracting(ChannelFuture::isSuccess)
          .containsExactly(true, true, true, true, false);
      long out = 0;
      ByteBuf b;
      while ((b = ch.readOutbound()) != null) {
        out += b.readableBytes();
        b.release();
      }
      assertThat(out).isEqualTo(4000);
      assertThat(record.charged()).isEqualTo(4000);
      assertThat(seen).singleElement();
      assertThat(seen.get(0).reason()).isEqualTo(Reason.TRANSFER_TOO_LARGE);
      assertThat(meter.refused()).isTrue();

      ch.finishAndReleaseAll();
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).singleElement();
      assertThat(denies.get(0).getString("reason")).isEqualTo("transfer_too_large");
      assertThat(denies.get(0).getString("detail"))
          .contains("cut at max_transfer of zone inference (4096 bytes");
    }
  }
}
