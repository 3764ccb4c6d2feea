package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.net.Cidr;
import dev.sluice.net.HostPort;
import dev.sluice.time.Window;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Records built in code hold only valid values, and cannot be changed afterwards. */
class RecordInvariantsTest {

  private static final LimitConfig DAY_1MB = LimitConfig.of(Window.DAY, 1_000_000);

  @Test
  void limits() {
    assertThat(DAY_1MB.capText()).isEqualTo("1 MB");
    assertThatThrownBy(() -> LimitConfig.of(Window.DAY, -1))
        .hasMessage("a cap cannot be negative: -1");
    assertThatThrownBy(() -> new LimitConfig(null, 1, "1 B"))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new TenantConfig("t", List.of(DAY_1MB, LimitConfig.of(Window.DAY, 5))))
        .hasMessage("tenant t has more than one day limit");
  }

  @Test
  void namesAreCheckedInEveryRecord() {
    assertThatThrownBy(() -> new TenantConfig("a/b", List.of()))
        .hasMessageStartingWith("invalid tenant name");
    assertThatThrownBy(() -> new DestinationConfig("Bad.Example", List.of()))
        .hasMessageStartingWith("invalid destination pattern");
    assertThatThrownBy(() -> zone("z:1")).hasMessageStartingWith("invalid zone name");
  }

  @Test
  void zonesNeedATenantAndMatchingKeys() {
    assertThatThrownBy(() -> new ZoneConfig("z", List.of(), Map.of(), Map.of(), false))
        .hasMessage("zone z needs at least one tenant");
    assertThatThrownBy(
            () ->
                new ZoneConfig(
                    "z", List.of(), Map.of("a", new TenantConfig("b", List.of())), Map.of(), false))
        .hasMessage("tenants key 'a' differs from the name 'b'");
  }

  @Test
  void collectionsAreCopiedAndUnmodifiable() {
    List<LimitConfig> limits = new ArrayList<>(List.of(DAY_1MB));
    Map<String, TenantConfig> tenants = new LinkedHashMap<>();
    tenants.put("b", new TenantConfig("b", limits));
    tenants.put("a", new TenantConfig("a", List.of()));
    ZoneConfig z = new ZoneConfig("z", limits, tenants, Map.of(), false);
    limits.clear();
    tenants.clear();
    assertThat(z.limits()).containsExactly(DAY_1MB);
    assertThat(z.tenants().keySet()).containsExactly("b", "a");
    assertThatThrownBy(() -> z.tenants().remove("a"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> z.limits().add(DAY_1MB))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> z.tenants().get("b").limits().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void budgets() {
    assertThatThrownBy(() -> new BudgetsConfig(List.of(), 0, Map.of("z", zone("z"))))
        .hasMessage("the site needs at least one limit");
    assertThatThrownBy(() -> new BudgetsConfig(List.of(DAY_1MB), -1, Map.of("z", zone("z"))))
        .hasMessage("control allowance cannot be negative");
    assertThatThrownBy(() -> new BudgetsConfig(List.of(DAY_1MB), 0, Map.of()))
        .hasMessage("at least one zone is required");
  }

  @Test
  void listenerFieldsDependOnMode() {
    HostPort bind = HostPort.parse("127.0.0.1:0");
    assertThatThrownBy(
            () -> listener("f", ListenerMode.FORWARD, List.of("http://x"), null, Map.of(), null))
        .hasMessage(
            "listener f: upstreams are required for reverse and tcp, and not allowed for forward");
    assertThatThrownBy(() -> listener("r", ListenerMode.REVERSE, List.of(), null, Map.of(), null))
        .hasMessageEndingWith(
            "upstreams are required for reverse and tcp, and not allowed for forward");
    assertThatThrownBy(
            () -> listener("t", ListenerMode.TCP, List.of("db:5432"), null, Map.of(), null))
        .hasMessage("listener t: egress is required for tcp and only for tcp");
    assertThatThrownBy(() -> listener("f", ListenerMode.FORWARD, List.of(), "X-T", Map.of(), null))
        .hasMessage("listener f: tenant_header is only for reverse listeners");
    assertThatThrownBy(
            () ->
                listener(
                    "r",
                    ListenerMode.REVERSE,
                    List.of("http://x"),
                    null,
                    Map.of("10.0.0.0/8", "t"),
                    null))
        .hasMessage("listener r: tenants_by_source is not for reverse");
    assertThatThrownBy(
            () -> listener("r", ListenerMode.REVERSE, List.of("db:1"), null, Map.of(), null))
        .hasMessageStartingWith("a reverse upstream must be");
    assertThatThrownBy(
            () ->
                listener(
                    "f", ListenerMode.FORWARD, List.of(), null, Map.of("10.0.0.1/8", "t"), null))
        .hasMessage("host bits are set; did you mean 10.0.0.0/8?");
    ListenerConfig tcp =
        new ListenerConfig(
            "t",
            ListenerMode.TCP,
            bind,
            List.of("db:5432"),
            "z",
            null,
            Map.of(),
            Egress.CLIENT,
            null);
    assertThat(tcp.egress()).isEqualTo(Egress.CLIENT);
  }

  @Test
  void forwardSettings() {
    String digest = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";
    assertThat(new ProxyUserConfig("ci", "t", digest.toUpperCase(java.util.Locale.ROOT)))
        .isEqualTo(new ProxyUserConfig("ci", "t", digest));
    assertThatThrownBy(() -> new ProxyUserConfig("ci", "t", "abc"))
        .hasMessageStartingWith("expected the SHA-256 of the password as 64 hex digits");
    assertThatThrownBy(() -> new ProxyUserConfig("a:b", "t", digest))
        .hasMessageStartingWith("invalid proxy user name");
    assertThatThrownBy(
            () -> new ForwardConfig(List.of(), Map.of("x", new ProxyUserConfig("ci", "t", digest))))
        .hasMessage("proxyUsers key 'x' differs from the name 'ci'");
    List<Cidr> ranges = new ArrayList<>(List.of(Cidr.parse("10.0.0.0/8")));
    ForwardConfig f = new ForwardConfig(ranges, Map.of());
    ranges.clear();
    assertThat(f.denyRanges()).containsExactly(Cidr.parse("10.0.0.0/8"));
    assertThatThrownBy(() -> f.denyRanges().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    HostPort bind = HostPort.parse("127.0.0.1:0");
    assertThatThrownBy(
            () ->
                new ListenerConfig(
                    "t",
                    ListenerMode.TCP,
                    bind,
                    List.of("db:1"),
                    "z",
                    null,
                    Map.of(),
                    Egress.CLIENT,
                    null,
                    ForwardConfig.defaults()))
        .hasMessage("listener t: forward settings are required for forward and only for forward");
    ListenerConfig forward =
        new ListenerConfig(
            "f",
            ListenerMode.FORWARD,
            bind,
            List.of(),
            "z",
            null,
            Map.of(),
            null,
            null,
            new ForwardConfig(
                List.of(), Map.of("ci", new ProxyUserConfig("ci", "nobody", digest))));
    BudgetsConfig budgets = new BudgetsConfig(List.of(DAY_1MB), 0, Map.of("z", zone("z")));
    assertThatThrownBy(() -> config(budgets, List.of(forward)))
        .hasMessage("listener f: proxy user ci: zone z has no tenant nobody");
  }

  @Test
  void ledgerAndEscrowRanges() {
    LedgerConfig d = LedgerConfig.defaults("site-a");
    assertThat(d.origin()).isEqualTo("sluice/site-a");
    assertThat(d.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.maxBatchBytes()).isEqualTo(1L << 20);
    assertThatThrownBy(() -> new LedgerConfig("o", null, Duration.ofMillis(9), 1L << 20))
        .hasMessage("checkpoint interval must be 10ms..1h");
    assertThatThrownBy(() -> new LedgerConfig("o", null, Duration.ofSeconds(1), 4095))
        .hasMessage("max batch must be 4KiB..64MiB");
    assertThatThrownBy(() -> new LedgerConfig("a+b", null, Duration.ofSeconds(1), 4096))
        .hasMessageStartingWith("an origin must be printable ASCII");
    assertThat(EscrowConfig.DEFAULTS)
        .isEqualTo(new EscrowConfig(64 << 10, 4 << 20, 25, Duration.ofSeconds(30)));
    assertThatThrownBy(() -> new EscrowConfig(10, 9, 25, Duration.ofSeconds(30)))
        .hasMessage("max chunk must be at least min chunk");
    assertThatThrownBy(() -> new EscrowConfig(1, 9, 91, Duration.ofSeconds(30)))
        .hasMessage("low water must be 1..90 percent");
    assertThatThrownBy(() -> new EscrowConfig(1, 9, 25, Duration.ofHours(2)))
        .hasMessage("grant ttl must be 1s..1h");
    assertThatThrownBy(() -> new ModelConfig("m", 0))
        .hasMessage("model weight bytes must be > 0, got 0");
  }

  @Test
  void wholeConfigChecksCrossReferences() {
    BudgetsConfig budgets = new BudgetsConfig(List.of(DAY_1MB), 0, Map.of("z", zone("z")));
    ListenerConfig ok = listener("a", ListenerMode.FORWARD, List.of(), null, Map.of(), null);
    assertThat(config(budgets, List.of(ok)).listener("a")).isEqualTo(ok);
    assertThatThrownBy(() -> config(budgets, List.of(ok, ok)))
        .hasMessage("listener name a is used twice");
    ListenerConfig otherZone =
        new ListenerConfig(
            "b",
            ListenerMode.FORWARD,
            HostPort.parse("127.0.0.1:1"),
            List.of(),
            "y",
            null,
            Map.of(),
            null,
            null);
    assertThatThrownBy(() -> config(budgets, List.of(otherZone)))
        .hasMessage("listener b: unknown zone y");
    ListenerConfig badTenant =
        listener("c", ListenerMode.FORWARD, List.of(), null, Map.of("10.0.0.0/8", "nobody"), null);
    assertThatThrownBy(() -> config(budgets, List.of(badTenant)))
        .hasMessage("listener c: zone z has no tenant nobody");
    ListenerConfig onAdmin =
        new ListenerConfig(
            "d",
            ListenerMode.FORWARD,
            AdminConfig.DEFAULT_BIND,
            List.of(),
            "z",
            null,
            Map.of(),
            null,
            null);
    assertThatThrownBy(() -> config(budgets, List.of(onAdmin)))
        .hasMessage("listener d: bind 127.0.0.1:9901 conflicts with 127.0.0.1:9901");
    assertThatThrownBy(() -> config(budgets, List.of()))
        .hasMessage("at least one listener is required");
  }

  private static ZoneConfig zone(String name) {
    return new ZoneConfig(
        name, List.of(), Map.of("t", new TenantConfig("t", List.of())), Map.of(), false);
  }

  private static ListenerConfig listener(
      String name,
      ListenerMode mode,
      List<String> upstreams,
      String header,
      Map<String, String> sources,
      Egress egress) {
    return new ListenerConfig(
        name, mode, HostPort.parse("127.0.0.1:0"), upstreams, "z", header, sources, egress, null);
  }

  private static SluiceConfig config(BudgetsConfig budgets, List<ListenerConfig> listeners) {
    return new SluiceConfig(
        "s",
        new ModelConfig("m", 1),
        ZoneOffset.UTC,
        Mode.ENFORCE,
        Path.of("d"),
        budgets,
        listeners,
        new AdminConfig(AdminConfig.DEFAULT_BIND),
        StoreConfig.DEFAULT,
        LedgerConfig.defaults("s"),
        EscrowConfig.DEFAULTS,
        "test",
        "0".repeat(64));
  }
}
