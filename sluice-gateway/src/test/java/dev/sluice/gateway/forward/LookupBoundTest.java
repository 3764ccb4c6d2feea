package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup bound's formula and resolv.conf reading, and the per-tenant lookup limit. */
class LookupBoundTest {

  @TempDir Path dir;

  @Test
  void theDocumentedExample() throws Exception {
    Path conf = Files.writeString(dir.resolve("resolv.conf"), "nameserver 10.0.0.53\n");
    LookupBound b = LookupBound.read(conf, Map.of());
    // docs/dns.md: 2 * 2 * 1 * (654 + 1114)
    assertThat(b.bytes("abcdefghij.corp.example")).isEqualTo(7_072);
  }

  @Test
  void searchListAttemptsAndNameserversMultiply() throws Exception {
    Path conf =
        Files.writeString(
            dir.resolve("resolv.conf"),
            "# comment\nnameserver 1.1.1.1\nnameserver 8.8.8.8\nnameserver 9.9.9.9\n"
                + "nameserver 4.4.4.4\nsearch a.example b.example.\noptions ndots:2 attempts:9\n");
    LookupBound b = LookupBound.read(conf, Map.of());
    assertThat(b.nameservers()).isEqualTo(3); // MAXNS
    assertThat(b.attempts()).isEqualTo(5); // RES_MAXRETRY
    assertThat(b.search()).containsExactly("a.example", "b.example");
    // x.y: wire 5; with ".a.example" and ".b.example" wire 15 each.
    long perTry = (48 + 32 + 2 + 32 + 500) + 2 * (48 + 42 + 2 + 42 + 500);
    assertThat(b.bytes("x.y")).isEqualTo(2L * 5 * 3 * perTry);
    LookupBound env =
        LookupBound.read(conf, Map.of("LOCALDOMAIN", "c.example", "RES_OPTIONS", "attempts:1"));
    assertThat(env.search()).containsExactly("c.example");
    assertThat(env.attempts()).isEqualTo(1);
  }

  @Test
  void noFileMeansTheLocalHostAndAnUnknownDomain() throws Exception {
    LookupBound b = LookupBound.read(dir.resolve("missing"), Map.of());
    assertThat(b.nameservers()).isEqualTo(1);
    assertThat(b.attempts()).isEqualTo(2);
    assertThat(b.search()).isNull();
    assertThat(LookupBound.DEFAULT.bytes("a.b")).isGreaterThan(b.bytes("a.b"));
  }

  @Test
  void theLimitRefillsEvenlyOverAMinute() {
    ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
    LookupLimit limit = new LookupLimit(clock, 2);
    assertThat(limit.tryTake("a")).isTrue();
    assertThat(limit.tryTake("a")).isTrue();
    assertThat(limit.tryTake("a")).isFalse();
    assertThat(limit.tryTake("b")).isTrue(); // per tenant
    clock.advance(Duration.ofSeconds(29));
    assertThat(limit.tryTake("a")).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(limit.tryTake("a")).isTrue();
    clock.advance(Duration.ofDays(400)); // no overflow; never more than a minute's worth
    assertThat(limit.tryTake("a")).isTrue();
    assertThat(limit.tryTake("a")).isTrue();
    assertThat(limit.tryTake("a")).isFalse();
    assertThat(new LookupLimit(clock, 0).tryTake("a")).isFalse();
  }
}
