package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.time.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {

  @TempDir Path dir;
  final ManualClock clock = ManualClock.at("2026-11-22T21:31:50.123Z");

  LedgerOptions options() {
    return LedgerOptions.builder(dir, "sluice.test/site")
        .checkpointInterval(Duration.ofMinutes(1))
        .build();
  }

  static LedgerEntry halt(long i) {
    return LedgerEntry.builder(EntryType.HALT, i).put("n", i).put("why", "test " + i).build();
  }

  @Test
  void createsALedgerWithGenesisKeyAndCheckpoint() throws Exception {
    List<IndexedEntry> seen = new ArrayList<>();
    try (Ledger l = Ledger.open(options(), clock, null, seen::add)) {
      assertThat(l.recovery().created()).isTrue();
      assertThat(l.size()).isEqualTo(1);
      assertThat(seen)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.index()).isZero();
                assertThat(e.offset()).isEqualTo(EntriesFile.HEADER_SIZE);
                assertThat(e.entry().type()).isEqualTo(EntryType.GENESIS);
                assertThat(e.entry().getString("origin")).isEqualTo("sluice.test/site");
              });
      assertThat(l.latestCheckpoint().size()).isEqualTo(1);
      assertThat(l.healthy()).isTrue();
    }
    Path key = dir.resolve("ledger.key");
    assertThat(Files.readString(key)).startsWith("PRIVATE+KEY+sluice.test/site+");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(dir.resolve("ledger/ledger.vkey")))
        .isEqualTo(NoteSigner.parse(Files.readString(key).strip()).verifier().encode() + "\n");
    assertThat(dir.resolve("ledger"))
        .isDirectoryContaining(p -> p.getFileName().toString().equals("entries.log"));
    try (var files = Files.list(dir.resolve("ledger"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("entries.log", "checkpoints.log", "ledger.vkey");
    }
  }

  @Test
  void appendsAreDurableInOrderAndReplayedOnReopen() throws Exception {
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      for (long i = 1; i <= 10; i++) {
        assertThat(l.append(halt(i)).get()).isEqualTo(i);
      }
      assertThat(l.size()).isEqualTo(11);
    }
    List<IndexedEntry> seen = new ArrayList<>();
    try (Ledger l = Ledger.open(options(), clock, null, seen::add)) {
      assertThat(l.recovery().created()).isFalse();
      assertThat(l.recovery().repaired()).isFalse();
      assertThat(seen).hasSize(11);
      for (int i = 1; i <= 10; i++) {
        assertThat(seen.get(i).entry()).isEqualTo(halt(i));
        assertThat(seen.get(i).index()).isEqualTo(i);
      }
      assertThat(l.latestCheckpoint().size()).isEqualTo(11);
    }
  }

  @Test
  void manyThreadsGetDenseUniqueIndices() throws Exception {
    int threads = 8;
    int perThread = 500;
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      List<java.util.concurrent.Future<List<CompletableFuture<Long>>>> jobs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * perThread;
        jobs.add(
            pool.submit(
                () -> {
                  List<CompletableFuture<Long>> mine = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    mine.add(l.append(halt(base + i)));
                  }
                  return mine;
                }));
      }
      for (var j : jobs) {
        futures.addAll(j.get());
      }
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
      assertThat(futures.stream().map(CompletableFuture::join).sorted().toList())
          .containsExactlyElementsOf(
              java.util.stream.LongStream.rangeClosed(1, threads * perThread).boxed().toList());
      assertThat(l.size()).isEqualTo(1 + threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void checkpointsOnIntervalAndOnCloseOnlyWhenGrown() throws Exception {
    Checkpoint first;
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      first = l.latestCheckpoint();
      l.append(halt(1)).get();
      assertThat(l.latestCheckpoint()).isEqualTo(first);
      clock.advance(Duration.ofMinutes(1));
      l.append(halt(2)).get();
      // Once the interval has passed, the writer checkpoints the grown tree either while idle,
      // before halt(2) arrives (size 2), or with halt(2)'s batch (size 3): which one is a race
      // between the writer's poll and this thread, so both are right (this asserted 3 and failed
      // once in a full build). Either way the checkpoint is taken now, not at close.
      assertThat(l.latestCheckpoint().size()).isBetween(2L, 3L);
      assertThat(l.latestCheckpoint().timeMillis()).isEqualTo(clock.millis());
      assertThat(l.checkpointNow().size()).isEqualTo(3);
      assertThat(l.checkpointNow()).isEqualTo(l.latestCheckpoint());
      l.append(halt(3)).get();
    }
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      assertThat(l.latestCheckpoint().size()).isEqualTo(4);
      assertThat(l.latestCheckpoint().root()).isEqualTo(l.position().root());
    }
  }

  @Test
  void positionRoundTripsAndResumesWithoutReplayingHistory() throws Exception {
    LedgerPosition pos;
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      for (long i = 1; i <= 5; i++) {
        l.append(halt(i)).get();
      }
      pos = l.position();
      l.append(halt(6)).get();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    pos.writeTo(new DataOutputStream(bytes));
    LedgerPosition back =
        LedgerPosition.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertThat(back).isEqualTo(pos);
    List<IndexedEntry> seen = new ArrayList<>();
    try (Ledger l = Ledger.open(options(), clock, back, seen::add)) {
      assertThat(l.recovery().resumed()).isTrue();
      assertThat(seen).extracting(IndexedEntry::index).containsExactly(6L);
      assertThat(l.append(halt(7)).get()).isEqualTo(7);
    }
  }

  @Test
  void resumingReadsNoHistoryBeforeThePositionButTheGenesisAndLastRecord() throws Exception {
    LedgerPosition pos;
    long genesisEnd;
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      genesisEnd = l.position().byteOffset();
      for (long i = 1; i <= 200; i++) {
        l.append(halt(i));
      }
      l.append(halt(201)).get();
      pos = l.position();
      l.append(halt(202)).get();
    }
    List<long[]> reads = new ArrayList<>();
    LedgerIo tracking =
        (path, mode) -> {
          IoChannel ch = LedgerIo.standard().open(path, mode);
          if (!path.getFileName().toString().equals("entries.log")) {
            return ch;
          }
          return new IoChannel() {
            @Override
            public int read(java.nio.ByteBuffer dst, long position) throws java.io.IOException {
              int n = ch.read(dst, position);
              reads.add(new long[] {position, position + Math.max(n, 0)});
              return n;
            }

            @Override
            public void write(java.nio.ByteBuffer src, long position) throws java.io.IOException {
              ch.write(src, position);
            }

            @Override
            public long size() throws java.io.IOException {
              return ch.size();
            }

            @Override
            public void truncate(long size) throws java.io.IOException {
              ch.truncate(size);
            }

            @Override
            public void force() throws java.io.IOException {
              ch.force();
            }

            @Override
            public void lockExclusively() throws java.io.IOException {
              ch.lockExclusively();
            }

            @Override
            public void close() throws java.io.IOException {
              ch.close();
            }
          };
        };
    LedgerOptions o = LedgerOptions.builder(dir, "sluice.test/site").io(tracking).build();
    try (Ledger l = Ledger.open(o, clock, pos, e -> {})) {
      assertThat(l.recovery().resumed()).isTrue();
      assertThat(l.recovery().entriesReplayed()).isEqualTo(1);
    }
    // Allowed: the header and GENESIS (checked at open), and reads from the last record on.
    for (long[] r : reads) {
      boolean genesis =
          r[0] < genesisEnd && r[1] <= EntriesFile.HEADER_SIZE + RecordScanner.ONE_RECORD;
      boolean tail = r[0] >= pos.lastRecordOffset();
      assertThat(genesis || tail).as("read of [%d, %d)", r[0], r[1]).isTrue();
    }
  }

  @Test
  void aPositionFromAnotherLedgerIsRejectedAndEverythingReplayed() throws Exception {
    LedgerPosition foreign;
    Path other = dir.resolve("other");
    try (Ledger l =
        Ledger.open(
            LedgerOptions.builder(other, "sluice.test/site").build(), clock, null, e -> {})) {
      l.append(halt(2)).get();
      foreign = l.position();
    }
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      l.append(halt(1)).get();
    }
    List<IndexedEntry> seen = new ArrayList<>();
    try (Ledger l = Ledger.open(options(), clock, foreign, seen::add)) {
      assertThat(l.recovery().resumed()).isFalse();
      assertThat(l.recovery().resumeRejected()).contains("entry 1 has a different leaf hash");
      assertThat(seen).hasSize(2);
    }
  }

  @Test
  void anFsyncErrorMakesTheLedgerUnavailableUntilItCutsTheUnsyncedBatch() throws Exception {
    FaultyIo io = new FaultyIo(Integer.MAX_VALUE, FaultyIo.Fault.FAIL, 1);
    LedgerOptions o = LedgerOptions.builder(dir, "sluice.test/site").io(io).build();
    Ledger l = Ledger.open(o, clock, null, e -> {});
    assertThat(l.append(halt(1)).get()).isEqualTo(1);
    long durableEnd = l.position().byteOffset();
    io.faultIn(2); // the next batch's write succeeds, its fsync fails
    assertThatThrownBy(() -> l.append(halt(2)).get())
        .hasCauseInstanceOf(LedgerUnavailableException.class)
        .hasMessageContaining("injected fsync failure");
    assertThat(l.healthy()).isFalse();
    assertThat(l.size()).isEqualTo(2);
    assertThatThrownBy(() -> l.append(halt(3)).get())
        .hasCauseInstanceOf(LedgerUnavailableException.class)
        .hasMessageContaining("ledger unavailable since");
    assertThatThrownBy(l::checkpointNow).isInstanceOf(LedgerUnavailableException.class);

    clock.advance(Duration.ofSeconds(1));
    Polling.await("the repair", l::healthy);
    assertThat(l.status().recoveries()).isEqualTo(1);
    assertThat(l.append(halt(4)).get()).as("after the GAP entry").isEqualTo(3);
    l.close();
    List<IndexedEntry> seen = new ArrayList<>();
    try (Ledger again = Ledger.open(options(), clock, null, seen::add)) {
      assertThat(again.recovery().repaired()).isFalse();
    }
    LedgerEntry gap = seen.get(2).entry();
    assertThat(gap.type()).isEqualTo(EntryType.GAP);
    assertThat(gap.getLong("offset"))
        .as("the batch whose fsync failed is cut, never fsynced again")
        .isEqualTo(durableEnd);
    assertThat(gap.getLong("bytes_dropped")).isPositive();
    assertThat(seen.get(3).entry()).isEqualTo(halt(4));
    assertThat(seen).hasSize(4);
  }

  @Test
  void closedLedgerRefusesAppendsAndCloseIsIdempotent() throws Exception {
    Ledger l = Ledger.open(options(), clock, null, e -> {});
    l.close();
    l.close();
    assertThat(l.healthy()).isFalse();
    assertThatThrownBy(() -> l.append(halt(1)).get())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(LedgerUnavailableException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(l::checkpointNow).isInstanceOf(LedgerUnavailableException.class);
  }

  @Test
  void refusesGenesisAndGapAppendsAndForeignKeysOrOrigins() throws Exception {
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      assertThatThrownBy(() -> l.append(LedgerEntry.builder(EntryType.GAP, 0).build()))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(
            () ->
                Ledger.open(
                    LedgerOptions.builder(dir, "sluice.test/other").build(), clock, null, e -> {}))
        .hasMessageContaining("named sluice.test/site");
    Path key = dir.resolve("other.key");
    Files.writeString(key, NoteSigner.fromSeed("sluice.test/site", new byte[32]).encode());
    assertThatThrownBy(
            () ->
                Ledger.open(
                    LedgerOptions.builder(dir, "sluice.test/site").signingKey(key).build(),
                    clock,
                    null,
                    e -> {}))
        .hasMessageContaining("was created with key");
  }

  @Test
  void aSecondOpenOfTheSameLedgerIsRefused() throws Exception {
    try (Ledger l = Ledger.open(options(), clock, null, e -> {})) {
      assertThatThrownBy(() -> Ledger.open(options(), clock, null, e -> {}))
          .hasMessageContaining("already open");
      assertThat(l.healthy()).isTrue();
    }
  }
}
