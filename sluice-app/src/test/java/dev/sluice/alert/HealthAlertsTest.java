package dev.sluice.alert;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.DiskFullIo;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.Polling;
import dev.sluice.time.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health alerts on real parts: a ledger that cannot write (a full disk, injected under the real
 * ledger) fires {@code SluiceLedgerUnavailable} and resolves once the ledger has repaired itself;
 * escrow left unsettled by a crash fires {@code SluiceEscrowStranded} at the next start.
 */
class HealthAlertsTest {

  @TempDir Path dir;
  private final ManualClock clock = ManualClock.at("2026-12-06T10:00:00Z");

  private static List<String> names(List<Alert> changes, Alert.Status status) {
    return changes.stream().filter(a -> a.status() == status).map(Alert::name).toList();
  }

  @Test
  void aFullDiskUnderTheLedgerFiresAndItsRepairResolves() throws Exception {
    DiskFullIo io = new DiskFullIo();
    try (AlertFixture f = new AlertFixture(dir, clock, "alerts: {}", io)) {
      assertThat(f.alerts.evaluate()).isEmpty();
      io.fillAfter(10);
      f.store
          .ledger()
          .append(LedgerEntry.builder(EntryType.HALT, clock.millis()).put("zone", "site").build())
          .exceptionally(e -> -1L)
          .join();
      assertThat(f.store.ledger().healthy()).isFalse();
      List<Alert> fired = f.alerts.evaluate();
      assertThat(names(fired, Alert.Status.FIRING)).containsExactly("SluiceLedgerUnavailable");
      assertThat(fired.get(0).annotations().get("description"))
          .contains("since 2026-12-06T10:00:00Z")
          .contains(DiskFullIo.ENOSPC);
      assertThat(f.alerts.evaluate()).isEmpty();

      io.free();
      clock.advance(Duration.ofSeconds(10));
      Polling.await("the ledger to repair itself", () -> f.store.ledger().healthy());
      f.store.ledger().checkpointNow();
      assertThat(names(f.alerts.evaluate(), Alert.Status.RESOLVED))
          .containsExactly("SluiceLedgerUnavailable");
    }
  }

  @Test
  void escrowStrandedByACrashFiresAtTheNextStart() throws Exception {
    AlertFixture first = new AlertFixture(dir, clock, "alerts: {}");
    first.charge(10_000);
    first.crash();

    try (AlertFixture second = new AlertFixture(dir, clock, "alerts: {}")) {
      assertThat(second.store.stranded().bytes()).isPositive();
      List<Alert> fired = second.alerts.evaluate();
      assertThat(names(fired, Alert.Status.FIRING)).containsExactly("SluiceEscrowStranded");
      assertThat(fired.get(0).labels()).containsEntry("stranded_node", "self");
      assertThat(fired.get(0).annotations().get("description"))
          .contains(second.store.stranded().bytes() + " bytes");
    }
  }
}
