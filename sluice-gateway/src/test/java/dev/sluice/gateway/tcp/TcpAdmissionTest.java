package dev.sluice.gateway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tcp connection goes through the shared admission stage: a client of a spent tenant is refused
 * and ledgered, and in report mode it is let through with a {@code would_deny} entry at admission,
 * as in reverse and forward mode (before issue 14, tcp recorded nothing at admission).
 */
class TcpAdmissionTest {

  @TempDir Path dir;

  /** A client connection from {@code 10.1.2.3} (tenant {@code small}), without a socket. */
  private static EmbeddedChannel client(ChannelHandler handler) {
    return new EmbeddedChannel(handler) {
      @Override
      protected SocketAddress remoteAddress0() {
        return new InetSocketAddress("10.1.2.3", 40000);
      }
    };
  }

  private static void settle(EmbeddedChannel ch, LedgerPoll poll) throws InterruptedException {
    for (int i = 0; i < 400 && !poll.done(); i++) {
      ch.runPendingTasks();
      Thread.sleep(5);
    }
  }

  private interface LedgerPoll {
    boolean done();
  }

  @Test
  void aSpentTenantIsRefusedAndClosed() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "tcp", "enforce")) {
      f.spendAll("small");
      EmbeddedChannel ch = client(new TcpListener(f.lc).newForward());
      settle(ch, () -> !ch.isOpen());
      assertThat(ch.isOpen()).isFalse();
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).hasSize(1);
      assertThat(denies.get(0).getString("listener")).isEqualTo("tcp");
      assertThat(denies.get(0).getString("tenant")).isEqualTo("small");
      assertThat(denies.get(0).getString("reason")).isEqualTo("egress_budget_exhausted");
      assertThat(denies.get(0).has("would_deny")).isFalse();
    }
  }

  @Test
  void reportModeRecordsWouldDenyAtAdmission() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "tcp", "report")) {
      f.spendAll("small");
      EmbeddedChannel ch = client(new TcpListener(f.lc).newForward());
      // Admitted: it goes on to connect the upstream (which an embedded loop cannot), so it ends.
      settle(ch, () -> !ch.isOpen());
      assertThat(f.stats.denials().get("would_deny").sum()).isEqualTo(1);
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).hasSize(1);
      assertThat(denies.get(0).getString("listener")).isEqualTo("tcp");
      assertThat(denies.get(0).getString("tenant")).isEqualTo("small");
      assertThat(denies.get(0).getString("reason")).isEqualTo("egress_budget_exhausted");
      assertThat(denies.get(0).getLong("would_deny")).isEqualTo(1L);
      List<LedgerEntry> connections = f.read(EntryType.CONNECTION);
      assertThat(connections).hasSize(1);
      assertThat(connections.get(0).getString("decision"))
          .isNotEqualTo(ConnectionRecord.Decision.DENY.name().toLowerCase());
    }
  }
}
