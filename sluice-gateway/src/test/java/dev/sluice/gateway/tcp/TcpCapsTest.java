package dev.sluice.gateway.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tcp listener's connection caps: a connection over the per-source or per-tenant cap is closed at
 * accept (tcp has no way to say why), counted, and ledgered with its reason.
 */
class TcpCapsTest {

  @TempDir Path dir;

  private static EmbeddedChannel client(ChannelHandler handler, String host) {
    return new EmbeddedChannel(handler) {
      @Override
      protected SocketAddress remoteAddress0() {
        return new InetSocketAddress(host, 40000);
      }
    };
  }

  @Test
  void aSourceOverItsCapIsClosedAtAccept() throws Exception {
    try (ListenerFixture f =
        new ListenerFixture(dir, "tcp", "enforce", "connection_limits: { per_source: 1 }\n")) {
      TcpListener l = new TcpListener(f.lc);
      // An open connection from 10.1.2.3 holds the source's one slot (an embedded channel cannot
      // stay connected to an upstream, so the slot is taken the way its handler takes it).
      ConnectionCaps.Lease open = l.caps().lease();
      assertThat(open.source(InetAddress.getByName("10.1.2.3"))).isTrue();
      EmbeddedChannel second = client(l.newForward(), "10.1.2.3"); // refused in channelActive
      assertThat(second.isOpen()).isFalse();
      assertThat(f.stats.listener("tcp").closed().get("source_connection_limit").sum())
          .isEqualTo(1);
      open.release();
      assertThat(l.caps().openFrom(InetAddress.getByName("10.1.2.3"))).isZero();
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies)
          .filteredOn(e -> e.getString("reason").equals("source_connection_limit"))
          .hasSize(1);
      assertThat(f.read(EntryType.CONNECTION))
          .extracting(e -> e.getString("reason"))
          .contains("source_connection_limit");
    }
  }

  @Test
  void aTenantOverItsCapIsClosedAtAccept() throws Exception {
    try (ListenerFixture f =
        new ListenerFixture(dir, "tcp", "enforce", "connection_limits: { per_tenant: 1 }\n")) {
      TcpListener l = new TcpListener(f.lc);
      ConnectionCaps.Lease open = l.caps().lease(); // an open connection of tenant small
      assertThat(open.tenant("small")).isTrue();
      EmbeddedChannel second = client(l.newForward(), "10.9.9.9"); // small (10.0.0.0/8)
      assertThat(second.isOpen()).isFalse();
      assertThat(f.stats.listener("tcp").closed().get("tenant_connection_limit").sum())
          .isEqualTo(1);
      assertThat(f.stats.listener("tcp").closed()).doesNotContainKey("source_connection_limit");
      open.release();
      assertThat(f.closeAndRead(EntryType.DENY))
          .extracting(e -> e.getString("reason"))
          .contains("tenant_connection_limit");
    }
  }
}
