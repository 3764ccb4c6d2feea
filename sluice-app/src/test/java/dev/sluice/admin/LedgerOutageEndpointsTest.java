package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.DiskFullIo;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerVerifier;
import dev.sluice.ledger.Polling;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's disk fills up under a running admin server and is freed again: {@code /readyz} says
 * since when and why it is not ready, the outage metrics count, and readiness comes back by itself
 * once the ledger has repaired its files, with the ledger verifying while it stays open.
 */
class LedgerOutageEndpointsTest {

  @TempDir Path dataDir;
  final DiskFullIo io = new DiskFullIo();
  AdminFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new AdminFixture(dataDir, UnaryOperator.identity(), io);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  MetricsText scrape() throws Exception {
    return MetricsText.parse(f.get("/metrics").body());
  }

  @Test
  void readyzAndMetricsFollowAFullDiskAndItsRepair() throws Exception {
    io.fillAfter(10);
    f.store
        .ledger()
        .append(LedgerEntry.builder(EntryType.HALT, f.clock.millis()).put("zone", "site").build())
        .exceptionally(e -> -1L)
        .join();
    assertThat(f.store.ledger().healthy()).isFalse();

    HttpResponse<String> r = f.get("/readyz");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body())
        .contains("the ledger is unavailable since 2026-11-22T10:00:00Z")
        .contains(DiskFullIo.ENOSPC)
        .contains("\"ledger_unavailable_since\":\"2026-11-22T10:00:00Z\"");
    MetricsText m = scrape();
    assertThat(m.get("sluice_ledger_healthy")).isZero();
    assertThat(m.get("sluice_ledger_unavailable_since_seconds"))
        .isEqualTo(f.clock.millis() / 1000.0);
    assertThat(m.get("sluice_ledger_refused_appends_total")).isEqualTo(1);
    assertThat(m.types()).containsEntry("sluice_ledger_retries_total", "counter");

    io.free();
    f.clock.advance(Duration.ofSeconds(10));
    Polling.await("/readyz to answer 200", () -> status("/readyz") == 200);
    m = scrape();
    assertThat(m.get("sluice_ledger_healthy")).isEqualTo(1);
    assertThat(m.get("sluice_ledger_unavailable_since_seconds")).isZero();
    assertThat(m.get("sluice_ledger_recoveries_total")).isEqualTo(1);
    assertThat(m.get("sluice_ledger_retries_total")).isGreaterThanOrEqualTo(1);
    assertThat(LedgerVerifier.verify(dataDir).problem()).as("verifies while open").isNull();
  }

  private int status(String path) {
    try {
      return f.get(path).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
