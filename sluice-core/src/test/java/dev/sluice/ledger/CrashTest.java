package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fails or crashes the ledger at every write, fsync and truncate of a workload (creation, group
 * commits of growing batches, checkpoints, close), then reopens it: every append that completed
 * successfully must be there, intact, at its index; the ledger must verify; a cut must be recorded
 * by a GAP entry; and the reopened ledger must accept appends. An I/O error may also be repaired
 * while the workload runs (the clock moves a second per round), which leaves a GAP entry with the
 * outage's {@code refused} count.
 */
class CrashTest {

  @TempDir Path tmp;
  private final List<String> cuts = new ArrayList<>();

  @Test
  void crashAtEveryStep() throws Exception {
    runAtEveryStep(FaultyIo.Fault.CRASH);
  }

  @Test
  void ioErrorAtEveryStep() throws Exception {
    runAtEveryStep(FaultyIo.Fault.FAIL);
  }

  private void runAtEveryStep(FaultyIo.Fault fault) throws Exception {
    int tried = 0;
    for (int step = 1; ; step++) {
      Path dir = tmp.resolve(fault + "-" + step);
      FaultyIo io = new FaultyIo(step, fault, step);
      Map<Long, LedgerEntry> acked = new HashMap<>();
      boolean unhealthy = runWorkload(dir, io, acked);
      if (!io.faulted()) {
        assertThat(unhealthy).isFalse();
        break;
      }
      assertThat(unhealthy).as("step %d left the ledger healthy", step).isTrue();
      if (fault == FaultyIo.Fault.CRASH) {
        io.crash(new SplittableRandom(step));
      }
      reopenAndCheck(dir, acked, step);
      tried++;
    }
    assertThat(tried).isGreaterThan(20);
    if (fault == FaultyIo.Fault.CRASH) {
      assertThat(cuts).as("some crashes left a torn tail").isNotEmpty();
    }
  }

  /** Appends in batches of 1..6 entries with checkpoints in between; returns if it failed. */
  private static boolean runWorkload(Path dir, FaultyIo io, Map<Long, LedgerEntry> acked)
      throws Exception {
    ManualClock clock = LedgerFixtures.clock();
    Ledger l;
    try {
      l = Ledger.open(options(dir).io(io).build(), clock, null, e -> {});
    } catch (IOException e) {
      return true;
    }
    boolean failed = false;
    try {
      for (int round = 1; round <= 6; round++) {
        List<LedgerEntry> entries = new ArrayList<>();
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int j = 0; j < round; j++) {
          LedgerEntry e =
              LedgerFixtures.grant(clock.millis(), round * 10L + j, 100 + j, "site", "z" + round);
          entries.add(e);
          futures.add(l.append(e));
        }
        for (int j = 0; j < round; j++) {
          try {
            acked.put(futures.get(j).get(), entries.get(j));
          } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(LedgerUnavailableException.class);
            failed = true;
          }
        }
        if (round % 2 == 0) {
          try {
            l.checkpointNow();
          } catch (LedgerUnavailableException e) {
            failed = true;
          }
        }
        clock.advance(Duration.ofSeconds(1));
      }
      failed |= !l.healthy();
    } finally {
      try {
        l.close();
      } catch (RuntimeException e) {
        failed = true;
      }
    }
    return failed || l.recovery() == null;
  }

  private void reopenAndCheck(Path dir, Map<Long, LedgerEntry> acked, int step) throws Exception {
    if (!Files.exists(dir.resolve("ledger/entries.log"))) {
      assertThat(acked).as("step %d: acknowledged entries but no ledger", step).isEmpty();
    }
    Map<Long, LedgerEntry> found = new HashMap<>();
    try (Ledger l =
        Ledger.open(
            options(dir).build(),
            LedgerFixtures.clock(),
            null,
            e -> found.put(e.index(), e.entry()))) {
      for (Map.Entry<Long, LedgerEntry> a : acked.entrySet()) {
        assertThat(found.get(a.getKey()))
            .as("step %d: acknowledged entry %d", step, a.getKey())
            .isEqualTo(a.getValue());
      }
      RecoveryReport r = l.recovery();
      if (r.tornBytesCut() > 0) {
        cuts.add(r.tornReason());
        LedgerEntry gap = found.get(r.gapEntryIndex());
        assertThat(gap.type()).isEqualTo(EntryType.GAP);
        assertThat(gap.getLong("bytes_dropped")).isEqualTo(r.tornBytesCut());
        assertThat(gap.getLong("first_lost_index")).isEqualTo(r.gapEntryIndex());
        assertThat(gap.getString("reason")).isEqualTo(r.tornReason());
      } else {
        assertThat(found.values())
            .as("step %d: the only GAP entries record outages repaired while running", step)
            .noneMatch(e -> e.type() == EntryType.GAP && !e.has("refused"));
      }
      assertThat(l.append(LedgerFixtures.grant(0, 999, 1, "site")).get()).isEqualTo(found.size());
    }
    VerifyReport v = LedgerVerifier.verify(dir);
    assertThat(v.problem()).as("step %d", step).isNull();
  }

  private static LedgerOptions.Builder options(Path dir) {
    return LedgerFixtures.options(dir).maxBatchBytes(LedgerOptions.MIN_BATCH_BYTES);
  }
}
