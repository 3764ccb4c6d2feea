package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward listener with a zone {@code max_transfer} (issue 16, point 4), over real sockets: a
 * request of known size above it is refused with 413 before it is sent, and a CONNECT tunnel is cut
 * when its count would pass it, never more than the limit reaching the destination.
 */
@ExtendWith(NoLeaks.class)
class ForwardMaxTransferTest {

  @TempDir Path dir;
  ForwardFixture proxy;
  TestOrigin origin;

  private static final Map<String, List<InetAddress>> NAMES =
      Map.of("api.corp.example", List.of(ForwardFixture.loopback()));

  @AfterEach
  void down() {
    if (proxy != null) {
      proxy.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  void aRequestOfKnownSizeAboveMaxTransferIsRefusedBeforeItIsSent() throws Exception {
    origin = TestOrigin.http();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml().maxTransfer("4KiB"), NAMES);
    String authority = "api.corp.example:" + origin.port();
    String response =
        RawClient.exchange(
            proxy.port(),
            "POST http://"
                + authority
                + "/upload HTTP/1.1\r\nHost: "
                + authority
                + "\r\nContent-Length: 5000\r\n\r\n"
                + "x".repeat(5000));
    assertThat(response)
        .startsWith("HTTP/1.1 413 ")
        .contains("\"type\":\"transfer_too_large\"")
        .contains("sluice change approve-transfer");
    assertThat(origin.received()).isZero();
    assertThat(proxy.closeAndRead(EntryType.DENY))
        .extracting(e -> e.getString("reason"))
        .containsExactly("transfer_too_large");
  }

  @Test
  void aTunnelIsCutAtMaxTransfer() throws Exception {
    origin = TestOrigin.echo();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml().maxTransfer("4KiB"), NAMES);
    String authority = "api.corp.example:" + origin.port();
    try (RawClient c = new RawClient(proxy.port())) {
      c.send("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 ");
      c.send("y".repeat(3000).getBytes(StandardCharsets.US_ASCII));
      assertThat(c.readExactly(3000)).hasSize(3000); // echoed: within the limit, it all went
      c.send("z".repeat(3000).getBytes(StandardCharsets.US_ASCII)); // passes 4096 in all
      assertThat(c.closedByPeerAfterDraining()).isTrue();
    }
    assertThat(origin.awaitAllClosed()).isTrue();
    assertThat(origin.received()).isBetween(3000L, 4096L);

    List<LedgerEntry> denies = proxy.closeAndRead(EntryType.DENY);
    assertThat(denies).extracting(e -> e.getString("reason")).containsExactly("transfer_too_large");
    assertThat(denies.get(0).getString("detail")).contains("cut at max_transfer of zone employee");
  }
}
