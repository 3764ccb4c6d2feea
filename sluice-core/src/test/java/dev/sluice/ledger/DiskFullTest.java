package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.time.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk under the ledger fills up part-way through a write ({@link DiskFullIo}) and is freed
 * later: the ledger refuses appends meanwhile, then repairs the torn tail in place, records the
 * outage in a GAP entry and accepts appends again, all without being reopened, and the files verify
 * while it is still open.
 */
class DiskFullTest {

  @TempDir Path dir;
  private final ManualClock clock = LedgerFixtures.clock();
  private final DiskFullIo io = new DiskFullIo();

  private LedgerOptions options() {
    return LedgerFixtures.options(dir).io(io).build();
  }

  private Path entries() {
    return dir.resolve("ledger").resolve(EntriesFile.NAME);
  }

  private Path checkpoints() {
    return dir.resolve("ledger").resolve(CheckpointsFile.NAME);
  }

  @Test
  void aTornEntryIsCutAndRecordedAndTheLedgerRecoversWithoutReopening() throws Exception {
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      long t = clock.millis();
      assertThat(l.append(LedgerFixtures.grant(t, 1, 1000, "site", "z")).get()).isEqualTo(1);
      l.checkpointNow();
      long durableEnd = l.position().byteOffset();

      io.fillAfter(30); // the next record is longer: 30 bytes of it reach the file
      CompletableFuture<Long> torn = l.append(LedgerFixtures.grant(t, 2, 2000, "site", "z"));
      assertThatThrownBy(torn::get)
          .hasCauseInstanceOf(LedgerUnavailableException.class)
          .hasMessageContaining(DiskFullIo.ENOSPC);
      assertThat(l.healthy()).isFalse();
      assertThat(Files.size(entries())).as("torn tail").isEqualTo(durableEnd + 30);
      assertThat(LedgerVerifier.verify(dir).problem()).as("torn files do not verify").isNotNull();
      assertThatThrownBy(() -> l.append(LedgerFixtures.grant(t, 3, 3000, "site", "z")).get())
          .as("refused while unavailable")
          .hasCauseInstanceOf(LedgerUnavailableException.class);

      clock.advance(Duration.ofSeconds(1)); // a repair is due, but the disk is still full
      Polling.await("a repair attempt on the full disk", () -> io.failures() >= 2);
      assertThat(l.healthy()).isFalse();

      io.free();
      clock.advance(Duration.ofSeconds(10));
      Polling.await("the ledger to be healthy again", l::healthy);

      VerifyReport v = LedgerVerifier.verify(dir);
      assertThat(v.problem()).as("verifies while open").isNull();
      assertThat(Files.size(entries())).isEqualTo(l.position().byteOffset());
      IndexedEntry gap = last(dir);
      assertThat(gap.index()).isEqualTo(2);
      assertThat(gap.entry().type()).isEqualTo(EntryType.GAP);
      assertThat(gap.entry().getLong("offset")).isEqualTo(durableEnd);
      assertThat(gap.entry().getLong("bytes_dropped")).isEqualTo(30);
      assertThat(gap.entry().getLong("first_lost_index")).isEqualTo(2);
      assertThat(gap.entry().getString("reason")).contains(DiskFullIo.ENOSPC);
      assertThat(gap.entry().getLong("refused")).isEqualTo(2);

      assertThat(l.append(LedgerFixtures.grant(t, 4, 4000, "site", "z")).get()).isEqualTo(3);
      l.checkpointNow();
      assertThat(LedgerVerifier.verify(dir).problem()).isNull();
    }
    List<IndexedEntry> replayed = new ArrayList<>();
    try (Ledger again = Ledger.open(options(), clock, null, replayed::add)) {
      assertThat(again.recovery().repaired()).as("nothing left to repair at open").isFalse();
      assertThat(replayed)
          .extracting(e -> e.entry().type())
          .containsExactly(EntryType.GENESIS, EntryType.GRANT, EntryType.GAP, EntryType.GRANT);
    }
    assertThat(LedgerVerifier.verify(dir).problem()).isNull();
  }

  @Test
  void aTornCheckpointIsCutAndTheLedgerRecoversWithoutReopening() throws Exception {
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      long t = clock.millis();
      l.append(LedgerFixtures.grant(t, 1, 1000, "site", "z")).get();
      long checkpointsBefore = Files.size(checkpoints());

      io.fillAfter(20);
      assertThatThrownBy(l::checkpointNow).isInstanceOf(LedgerUnavailableException.class);
      assertThat(l.healthy()).isFalse();
      assertThat(Files.size(checkpoints())).isEqualTo(checkpointsBefore + 20);
      assertThat(LedgerVerifier.verify(dir).problem()).isNotNull();

      io.free();
      clock.advance(Duration.ofSeconds(10));
      Polling.await("the ledger to be healthy again", l::healthy);

      assertThat(Files.size(checkpoints())).isEqualTo(checkpointsBefore);
      IndexedEntry gap = last(dir);
      assertThat(gap.entry().type()).isEqualTo(EntryType.GAP);
      assertThat(gap.entry().getLong("bytes_dropped")).isZero();
      assertThat(l.checkpointNow().size()).isEqualTo(3);
      assertThat(LedgerVerifier.verify(dir).problem()).as("verifies while open").isNull();
    }
  }

  @Test
  void appendsQueuedDuringTheOutageAreAllRefusedAndNoneIsWrittenLater() throws Exception {
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      long t = clock.millis();
      io.fillAfter(0);
      List<CompletableFuture<Long>> refused = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        refused.add(l.append(LedgerFixtures.grant(t, i + 1, 100, "site", "z")));
      }
      for (CompletableFuture<Long> f : refused) {
        assertThatThrownBy(f::get).hasCauseInstanceOf(LedgerUnavailableException.class);
      }
      io.free();
      clock.advance(Duration.ofSeconds(10));
      Polling.await("the ledger to be healthy again", l::healthy);
      assertThat(l.size()).as("genesis and the GAP entry only").isEqualTo(2);
      assertThat(last(dir).entry().getLong("refused")).isEqualTo(20);
      assertThat(LedgerVerifier.verify(dir).problem()).isNull();
    }
  }

  private static IndexedEntry last(Path dir) throws Exception {
    try (LedgerReader r = LedgerReader.open(dir)) {
      List<IndexedEntry> tail = r.tail(1);
      return tail.get(tail.size() - 1);
    }
  }
}
