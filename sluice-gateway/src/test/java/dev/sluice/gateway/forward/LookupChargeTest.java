package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 finding 8: a name lookup is egress (a request for {@code <labels>.corp.example} under an
 * allowed wildcard sends those labels out through the site's resolvers). Each lookup is charged to
 * the request's tenant and destination before the resolver is called, limited per tenant, cached,
 * and refused with a ledgered reason when its budget or limit is spent.
 */
@ExtendWith(NoLeaks.class)
class LookupChargeTest {

  /** What the test resolver declares one lookup may send. */
  static final long BOUND = 1000;

  static final String DEST = "dest:employee/*.corp.example";

  @TempDir Path dir;
  ForwardFixture proxy;
  TestOrigin origin;

  /** Every name the resolver was asked for, and what the destination had been charged by then. */
  final List<String> asked = Collections.synchronizedList(new ArrayList<>());

  final List<Long> chargedWhenAsked = Collections.synchronizedList(new ArrayList<>());
  final AtomicReference<ForwardFixture> self = new AtomicReference<>();

  @AfterEach
  void down() {
    if (proxy != null) {
      proxy.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  /**
   * A resolver that declares {@link #BOUND} bytes a lookup and records, when it is called, what the
   * destination had been charged; {@code api.corp.example} resolves to loopback, nothing else.
   */
  HostResolver resolver() {
    return new HostResolver() {
      @Override
      public List<InetAddress> resolve(String host) throws UnknownHostException {
        chargedWhenAsked.add(self.get().sent(DEST));
        asked.add(host);
        if (host.equals("api.corp.example")) {
          return List.of(ForwardFixture.loopback());
        }
        throw new UnknownHostException(host);
      }

      // No @Override, so that this test also builds (and fails) against the code before the fix.
      public long maxLookupBytes(String host) {
        return BOUND;
      }
    };
  }

  ForwardFixture start(ForwardFixture.Yaml yaml) throws Exception {
    proxy = new ForwardFixture(dir, yaml, resolver());
    self.set(proxy);
    return proxy;
  }

  static List<String> randomNames(int n, long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder label = new StringBuilder();
      for (int j = 0; j < 20; j++) {
        label.append((char) ('a' + r.nextInt(26)));
      }
      out.add(label + ".corp.example");
    }
    return out;
  }

  String connect(String host) throws Exception {
    return RawClient.exchange(
        proxy.port(), "CONNECT " + host + ":443 HTTP/1.1\r\nHost: " + host + ":443\r\n\r\n");
  }

  @Test
  void everyLookupIsChargedBeforeTheResolverIsCalled() throws Exception {
    start(new ForwardFixture.Yaml());
    List<String> names = randomNames(6, 8);
    for (String n : names) {
      assertThat(connect(n)).startsWith("HTTP/1.1 502 ").contains("destination_unresolvable");
    }
    assertThat(asked).containsExactlyElementsOf(names);
    for (int i = 0; i < names.size(); i++) {
      assertThat(chargedWhenAsked.get(i))
          .as("charged before lookup %d", i)
          .isGreaterThanOrEqualTo((i + 1) * BOUND);
    }
    // Nothing but the lookups left: the destination paid for exactly those.
    assertThat(proxy.sent(DEST)).isEqualTo(names.size() * BOUND);
    assertThat(proxy.sent("tenant:employee/default")).isEqualTo(names.size() * BOUND);
    assertThat(proxy.stats().listener("out").lookupsSent.sum()).isEqualTo(names.size());
    assertThat(proxy.stats().listener("out").lookupBytes.sum()).isEqualTo(names.size() * BOUND);
    List<LedgerEntry> connections = proxy.closeAndRead(EntryType.CONNECTION);
    assertThat(connections).hasSize(names.size());
    assertThat(connections).allSatisfy(e -> assertThat(e.getLong("charged")).isEqualTo(BOUND));
  }

  @Test
  void aSpentBudgetStopsTheLookupsAndTheLedgerSaysWhy() throws Exception {
    // 5.5 lookups: after five, the request is admitted (a byte is left) but its lookup is not.
    start(new ForwardFixture.Yaml().corpCap("5500"));
    List<String> names = randomNames(10, 9);
    int refused = 0;
    for (String n : names) {
      String res = connect(n);
      if (res.startsWith("HTTP/1.1 429 ")) {
        assertThat(res).contains("\"type\":\"lookup_budget_exhausted\"");
        refused++;
      } else {
        assertThat(refused).as("a lookup after a refusal").isZero();
        assertThat(res).startsWith("HTTP/1.1 502 ");
      }
    }
    assertThat(asked).hasSize(5).containsExactlyElementsOf(names.subList(0, 5));
    assertThat(refused).isEqualTo(5);
    assertThat(proxy.sent(DEST)).isEqualTo(5 * BOUND);
    assertThat(proxy.stats().denials().get("lookup_budget_exhausted").sum()).isEqualTo(5);
    assertThat(proxy.closeAndRead(EntryType.DENY))
        .hasSize(5)
        .allSatisfy(
            e -> {
              assertThat(e.getString("reason")).isEqualTo("lookup_budget_exhausted");
              assertThat(e.getString("node")).isEqualTo(DEST);
              assertThat(e.getString("tenant")).isEqualTo("default");
            });
  }

  @Test
  void reportModeChargesAndRecordsButDoesNotRefuse() throws Exception {
    start(new ForwardFixture.Yaml().mode("report").corpCap("0"));
    List<String> names = randomNames(3, 10);
    for (String n : names) {
      assertThat(connect(n)).startsWith("HTTP/1.1 502 ");
    }
    assertThat(asked).containsExactlyElementsOf(names);
    assertThat(proxy.sent(DEST)).isZero(); // nothing could be charged: the bytes are would-deny
    List<LedgerEntry> denies = proxy.closeAndRead(EntryType.DENY);
    // The admission stage records its own would-deny (the request), then the lookup's.
    assertThat(denies.stream().filter(e -> e.getString("reason").startsWith("lookup")))
        .hasSize(3)
        .allSatisfy(
            e -> {
              assertThat(e.getString("reason")).isEqualTo("lookup_budget_exhausted");
              assertThat(e.getLong("would_deny")).isEqualTo(1);
            });
  }

  @Test
  void aTenantHasAFewLookupsAMinuteAndCachedNamesNeedNone() throws Exception {
    start(
        new ForwardFixture.Yaml()
            .listener("    deny_ranges: []\n    lookups: { per_minute: 2 }\n"));
    List<String> names = randomNames(3, 11);
    assertThat(connect(names.get(0))).startsWith("HTTP/1.1 502 ");
    assertThat(connect(names.get(1))).startsWith("HTTP/1.1 502 ");
    assertThat(connect(names.get(2)))
        .startsWith("HTTP/1.1 429 ")
        .contains("\"type\":\"lookup_limit\"");
    // A name that did not resolve is remembered: no lookup, no limit, no charge.
    assertThat(connect(names.get(0))).startsWith("HTTP/1.1 502 ");
    assertThat(asked).containsExactly(names.get(0), names.get(1));
    assertThat(proxy.sent(DEST)).isEqualTo(2 * BOUND);
    assertThat(proxy.stats().listener("out").lookupCacheHits.sum()).isEqualTo(1);
    assertThat(proxy.closeAndRead(EntryType.DENY))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getString("reason")).isEqualTo("lookup_limit");
              assertThat(e.getString("destination")).isEqualTo(names.get(2) + ":443");
            });
  }

  @Test
  void aCachedNameSendsNoLookupAndCostsNothing() throws Exception {
    origin = TestOrigin.http();
    start(new ForwardFixture.Yaml());
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://api.corp.example:" + origin.port() + "/small"))
            .timeout(Duration.ofSeconds(10))
            .build();
    // A client each, so each request is a new proxy connection and a new dial.
    assertThat(client().send(req, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
    long afterFirst = proxy.sent(DEST);
    long firstRequest = origin.received();
    assertThat(afterFirst).isEqualTo(firstRequest + BOUND);
    assertThat(client().send(req, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
    assertThat(origin.connections()).isEqualTo(2);
    assertThat(asked).containsExactly("api.corp.example");
    assertThat(proxy.sent(DEST)).isEqualTo(origin.received() + BOUND);
    assertThat(proxy.stats().listener("out").lookupCacheHits.sum()).isEqualTo(1);
  }

  HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port())))
        .build();
  }
}
