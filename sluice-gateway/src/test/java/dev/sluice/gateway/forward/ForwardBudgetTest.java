package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Destination caps: 429 before contacting the destination, a cut mid-tunnel, never overshoot. */
@ExtendWith(NoLeaks.class)
class ForwardBudgetTest {

  private static final Map<String, List<InetAddress>> NAMES =
      Map.of("api.corp.example", List.of(ForwardFixture.loopback()));

  @TempDir Path dir;
  ForwardFixture proxy;
  TestOrigin origin;

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
  void aSpentDestinationCapIs429AndNothingMoreReachesTheDestination() throws Exception {
    origin = TestOrigin.http();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml().corpCap("2KB"), NAMES);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port())))
            .build();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://api.corp.example:" + origin.port() + "/small"))
            .timeout(Duration.ofSeconds(10))
            .build();
    int ok = 0;
    HttpResponse<String> last = null;
    for (int i = 0; i < 100; i++) {
      last = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (last.statusCode() != 200) {
        break;
      }
      ok++;
    }
    assertThat(ok).isBetween(5, 40);
    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(last.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(last.body())
        .contains(
            "\"type\":\"egress_budget_exhausted\"",
            "\"node\":\"dest:employee/*.corp.example\"",
            "\"window\":\"day\"",
            "\"resets_at\":\"");
    long received = origin.received();
    int connections = origin.connections();
    assertThat(received).isLessThanOrEqualTo(2000);
    assertThat(proxy.sent("dest:employee/*.corp.example")).isEqualTo(received);

    // What is left cannot pay for the request: answered before the destination is contacted.
    assertThat(http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(429);
    assertThat(origin.received()).isEqualTo(received);
    assertThat(origin.connections()).isEqualTo(connections);
    assertThat(proxy.stats().denials().get("egress_budget_exhausted").sum()).isEqualTo(2);
    assertThat(proxy.closeAndRead(EntryType.DENY))
        .allSatisfy(
            e -> {
              assertThat(e.getString("reason")).isEqualTo("egress_budget_exhausted");
              assertThat(e.getString("node")).isEqualTo("dest:employee/*.corp.example");
            });
  }

  @Test
  void aConnectToASpentDestinationIs429WithoutContactingIt() throws Exception {
    origin = TestOrigin.echo();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml().corpCap("0"), NAMES);
    assertThat(
            RawClient.exchange(
                proxy.port(),
                "CONNECT api.corp.example:"
                    + origin.port()
                    + " HTTP/1.1\r\nHost: api.corp.example\r\n\r\n"))
        .startsWith("HTTP/1.1 429 Too Many Requests\r\n")
        .contains("retry-after: ", "\"node\":\"dest:employee/*.corp.example\"");
    assertThat(origin.connections()).isZero();
    assertThat(proxy.closeAndRead(EntryType.CONNECTION))
        .singleElement()
        .satisfies(e -> assertThat(e.getString("decision")).isEqualTo("deny"));
  }

  @Test
  void anAnnouncedBodyTheBudgetCannotPayIs429BeforeAnyByteLeaves() throws Exception {
    origin = TestOrigin.http();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml().corpCap("4KB"), NAMES);
    String head =
        "POST http://api.corp.example:"
            + origin.port()
            + "/upload HTTP/1.1\r\nHost: api.corp.example\r\nContent-Length: 5000\r\n\r\n";
    try (RawClient c = new RawClient(proxy.port())) {
      c.send(head);
      assertThat(c.readHead()).startsWith("HTTP/1.1 429 ");
    }
    assertThat(origin.connections()).isZero();
    assertThat(proxy.sent("dest:employee/*.corp.example")).isZero();
  }

  @Test
  void reportModeLetsTheBytesThroughAndRecordsWouldDeny() throws Exception {
    origin = TestOrigin.echo();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml().mode("report").corpCap("0"), NAMES);
    try (RawClient c = new RawClient(proxy.port())) {
      c.send(
          "CONNECT api.corp.example:"
              + origin.port()
              + " HTTP/1.1\r\nHost: api.corp.example\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 ");
      c.send(new byte[500]);
      assertThat(c.readExactly(500)).hasSize(500);
    }
    assertThat(origin.awaitAllClosed()).isTrue();
    assertThat(proxy.closeAndRead(EntryType.DENY))
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.getLong("would_deny")).isEqualTo(1));
  }

  @Test
  void aTunnelThatRunsOutIsCutAndClosedOnBothSides() throws Exception {
    origin = TestOrigin.echo();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml().corpCap("4KB"), NAMES);
    byte[] chunk = new byte[1000];
    int echoed = 0;
    boolean cut = false;
    try (RawClient c = new RawClient(proxy.port())) {
      c.send(
          "CONNECT api.corp.example:"
              + origin.port()
              + " HTTP/1.1\r\nHost: api.corp.example\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 ");
      for (int i = 0; i < 10 && !cut; i++) {
        try {
          c.send(chunk);
          byte[] back = c.readExactly(chunk.length);
          echoed += back.length;
          cut = back.length < chunk.length;
        } catch (IOException e) {
          cut = true; // reset by the proxy
        }
      }
      assertThat(cut || c.closedByPeer()).isTrue();
    }
    assertThat(origin.awaitAllClosed()).isTrue();
    assertThat(echoed).isBetween(1000, 4000);
    assertThat(origin.received()).isLessThanOrEqualTo(4000);
    assertThat(proxy.sent("dest:employee/*.corp.example")).isEqualTo(origin.received());
    List<LedgerEntry> denies = proxy.closeAndRead(EntryType.DENY);
    assertThat(denies)
        .singleElement()
        .satisfies(e -> assertThat(e.getString("reason")).isEqualTo("egress_budget_exhausted"));
  }

  @Test
  void theConnectionRecordSaysCutWhenBytesHadLeft() throws Exception {
    origin = TestOrigin.echo();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml().corpCap("3KB"), NAMES);
    try (RawClient c = new RawClient(proxy.port())) {
      c.send(
          "CONNECT api.corp.example:"
              + origin.port()
              + " HTTP/1.1\r\nHost: api.corp.example\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 ");
      c.send(new byte[1000]);
      c.readExactly(1000);
      c.send(new byte[5000]); // more than is left: refused, both sides closed
      assertThat(c.closedByPeerAfterDraining()).isTrue();
    }
    assertThat(origin.awaitAllClosed()).isTrue();
    List<LedgerEntry> connections = proxy.closeAndRead(EntryType.CONNECTION);
    assertThat(connections)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getString("decision")).isEqualTo("cut");
              assertThat(e.getString("reason")).isEqualTo("egress_budget_exhausted");
              assertThat(e.getLong("charged")).isBetween(1000L, 3000L);
            });
  }
}
