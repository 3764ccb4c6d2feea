package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.net.HostPort;
import dev.sluice.time.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The documented example must load to exactly these records, with exactly one warning. */
class QuickstartConfigTest {

  private final Path file = ConfigFixture.quickstart();
  private final ConfigResult result = ConfigLoader.load(file);

  @Test
  void loadsWithoutErrors() {
    assertThat(result.errors()).isEmpty();
    assertThat(result.ok()).isTrue();
  }

  @Test
  void resolvesCapsToBytes() {
    SluiceConfig c = result.orThrow();
    assertThat(c.model().weightBytes()).isEqualTo(810_000_000_000L);
    assertThat(c.budgets().limits())
        .extracting(LimitConfig::capBytes)
        .containsExactly(810_000_000L, 40_500_000_000_000L);
    assertThat(c.zone("inference").tenants().get("acme").limits().get(1).capBytes())
        .isEqualTo(3_000_000_000L);
    assertThat(c.budgets().controlAllowanceBytes()).isEqualTo(1_048_576L);
  }

  @Test
  void isExactlyTheseRecords() throws Exception {
    Map<String, ZoneConfig> zones = new LinkedHashMap<>();
    Map<String, TenantConfig> inferenceTenants = new LinkedHashMap<>();
    inferenceTenants.put("default", new TenantConfig("default", List.of(day(50_000_000, "50MB"))));
    inferenceTenants.put(
        "acme",
        new TenantConfig(
            "acme",
            List.of(
                day(200_000_000, "200MB"), new LimitConfig(Window.MONTH, 3_000_000_000L, "3GB"))));
    zones.put(
        "inference",
        new ZoneConfig(
            "inference", List.of(day(500_000_000, "500MB")), inferenceTenants, Map.of(), false));
    zones.put(
        "employee",
        new ZoneConfig(
            "employee",
            List.of(day(300_000_000, "300MB")),
            Map.of("default", new TenantConfig("default", List.of(day(100_000_000, "100MB")))),
            Map.of(
                "*.corp.example",
                new DestinationConfig("*.corp.example", List.of(day(200_000_000, "200MB")))),
            false));
    BudgetsConfig budgets =
        new BudgetsConfig(
            List.of(
                day(810_000_000, "0.1% weights"),
                new LimitConfig(Window.LIFETIME, 40_500_000_000_000L, "50x weights")),
            1L << 20,
            zones);
    List<ListenerConfig> listeners =
        List.of(
            new ListenerConfig(
                "api",
                ListenerMode.REVERSE,
                new HostPort("127.0.0.1", 8080),
                List.of("http://127.0.0.1:8000"),
                "inference",
                "X-Tenant",
                Map.of(),
                null,
                null),
            new ListenerConfig(
                "outbound",
                ListenerMode.FORWARD,
                new HostPort("127.0.0.1", 3128),
                List.of(),
                "employee",
                null,
                Map.of("127.0.0.0/8", "default"),
                null,
                null));
    SluiceConfig expected =
        new SluiceConfig(
            "quickstart",
            new ModelConfig("demo-model", 810_000_000_000L),
            ZoneId.of("UTC"),
            Mode.ENFORCE,
            Path.of("./sluice-data"),
            budgets,
            listeners,
            new AdminConfig(new HostPort("127.0.0.1", 9901)),
            new StoreConfig(StoreType.LOCAL),
            new LedgerConfig("sluice/quickstart", null, java.time.Duration.ofSeconds(1), 1L << 20),
            new EscrowConfig(64L << 10, 4L << 20, 25, java.time.Duration.ofSeconds(30)),
            file.toString(),
            ConfigLoader.sha256Hex(Files.readAllBytes(file)));

    assertThat(result.config()).isEqualTo(expected);
    assertThat(result.config().budgets().zones().keySet()).containsExactly("inference", "employee");
    assertThat(result.config().zone("inference").tenants().keySet())
        .containsExactly("default", "acme");
  }

  /** Issue 18: the example a new user starts from validates without a warning. */
  @Test
  void hasNoWarnings() {
    assertThat(result.warnings()).extracting(ConfigProblem::format).isEmpty();
  }

  @Test
  void hashesTheFileBytes() throws Exception {
    String sha = result.config().sha256Hex();
    assertThat(sha).hasSize(64).matches("[0-9a-f]+");
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    assertThat(java.util.HexFormat.of().parseHex(sha))
        .isEqualTo(md.digest(Files.readAllBytes(file)));
  }

  private static LimitConfig day(long bytes, String text) {
    return new LimitConfig(Window.DAY, bytes, text);
  }
}
