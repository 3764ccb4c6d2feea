package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Torn tails are cut and recorded; damage a crash cannot explain (under a checkpoint, or further
 * back than one batch, or in a checkpoint followed by others) refuses to open.
 */
class TornTailTest {

  @TempDir Path tmp;

  /** Copies the ledger files of a running ledger: what a crash right now would leave. */
  static Path crashImage(Path dataDir, Path to) throws IOException {
    Files.createDirectories(to.resolve("ledger"));
    for (String f : List.of("entries.log", "checkpoints.log", "ledger.vkey")) {
      Files.copy(dataDir.resolve("ledger").resolve(f), to.resolve("ledger").resolve(f));
    }
    return to;
  }

  /** A ledger image: 3 checkpointed grants, then one unchecked batch of 5; returns its start. */
  private long imageWithUncheckedBatch(Path image) throws Exception {
    Path live = tmp.resolve("live");
    try (Ledger l =
        Ledger.open(LedgerFixtures.options(live).build(), LedgerFixtures.clock(), null, e -> {})) {
      for (int i = 1; i <= 3; i++) {
        l.append(LedgerFixtures.grant(i, i, 10, "site")).get();
      }
      l.checkpointNow();
      long start = l.position().byteOffset();
      List<CompletableFuture<Long>> batch = new ArrayList<>();
      for (int i = 4; i <= 8; i++) {
        batch.add(l.append(LedgerFixtures.grant(i, i, 10, "site", "zone-" + i)));
      }
      CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get();
      crashImage(live, image);
      return start;
    }
  }

  @Test
  void everyCutOfTheLastBatchIsRepairedAndRecorded() throws Exception {
    Path image = tmp.resolve("image");
    long start = imageWithUncheckedBatch(image);
    byte[] entries = Files.readAllBytes(image.resolve("ledger/entries.log"));
    List<Long> records = BitFlipTest.recordStarts(entries);
    for (long cut = start; cut <= entries.length; cut++) {
      checkCut(image, records, entries.length, cut);
    }
  }

  private void checkCut(Path image, List<Long> records, long length, long cut) throws Exception {
    Path dir = crashImage(image, tmp.resolve("cut-" + cut));
    truncate(dir.resolve("ledger/entries.log"), cut);
    // Records that end at or before the cut survive; the one the cut runs through is torn.
    long whole = 0;
    long torn = -1;
    for (int i = 0; i < records.size(); i++) {
      long end = i + 1 < records.size() ? records.get(i + 1) : length;
      if (end <= cut) {
        whole++;
      } else if (records.get(i) < cut) {
        torn = records.get(i);
      }
    }
    List<IndexedEntry> seen = new ArrayList<>();
    try (Ledger l =
        Ledger.open(LedgerFixtures.options(dir).build(), LedgerFixtures.clock(), null, seen::add)) {
      RecoveryReport r = l.recovery();
      if (torn < 0) {
        assertThat(r.tornBytesCut()).as("cut %d", cut).isZero();
        assertThat(seen).hasSize((int) whole);
      } else {
        assertThat(r.tornBytesCut()).as("cut %d", cut).isEqualTo(cut - torn);
        assertThat(r.gapEntryIndex()).isEqualTo(whole);
        assertThat(seen).hasSize((int) whole + 1);
        LedgerEntry gap = seen.get(seen.size() - 1).entry();
        assertThat(gap.type()).isEqualTo(EntryType.GAP);
        assertThat(gap.getLong("offset")).isEqualTo(torn);
        assertThat(gap.getLong("bytes_dropped")).isEqualTo(cut - torn);
        assertThat(gap.getLong("first_lost_index")).isEqualTo(whole);
        assertThat(gap.getString("reason")).startsWith("incomplete record");
      }
    }
    assertThat(LedgerVerifier.verify(dir).problem()).as("cut %d", cut).isNull();
  }

  @Test
  void everyDamagedByteOfTheLastBatchIsCutFromItsRecord() throws Exception {
    Path image = tmp.resolve("image");
    long start = imageWithUncheckedBatch(image);
    byte[] entries = Files.readAllBytes(image.resolve("ledger/entries.log"));
    List<Long> records = BitFlipTest.recordStarts(entries);
    for (int pos = (int) start; pos < entries.length; pos++) {
      // Out-of-order writeback can leave a zeroed page inside an unsynced batch.
      Path dir = crashImage(image, tmp.resolve("zero-" + pos));
      byte[] damaged = entries.clone();
      damaged[pos] = (byte) ~damaged[pos];
      Files.write(dir.resolve("ledger/entries.log"), damaged);
      long torn = 0;
      int index = 0;
      for (int i = 0; i < records.size(); i++) {
        if (records.get(i) <= pos) {
          torn = records.get(i);
          index = i;
        }
      }
      try (Ledger l =
          Ledger.open(LedgerFixtures.options(dir).build(), LedgerFixtures.clock(), null, e -> {})) {
        RecoveryReport r = l.recovery();
        assertThat(r.gapEntryIndex()).as("byte %d", pos).isEqualTo(index);
        assertThat(r.tornBytesCut()).isEqualTo(entries.length - torn);
        assertThat(r.tornReason())
            .matches(
                "CRC mismatch.*|bad record magic.*|payload length.*|incomplete record.*|index .* out of sequence.*");
      }
      assertThat(LedgerVerifier.verify(dir).problem()).as("byte %d", pos).isNull();
    }
  }

  @Test
  void damageUnderACheckpointRefusesToOpen() throws Exception {
    LedgerFixtures.writeTiny(tmp);
    Path file = tmp.resolve("ledger/entries.log");
    byte[] b = Files.readAllBytes(file);
    long last = BitFlipTest.recordStarts(b).get(2);
    b[b.length - 3] ^= 1;
    Files.write(file, b);
    assertThatThrownBy(
            () ->
                Ledger.open(
                    LedgerFixtures.options(tmp).build(), LedgerFixtures.clock(), null, e -> {}))
        .isInstanceOfSatisfying(
            LedgerCorruptionException.class,
            e -> {
              assertThat(e.entryIndex()).isEqualTo(2);
              assertThat(e.offset()).isEqualTo(last);
            })
        .hasMessageContaining("entries.log entry 2 at byte " + last + ": CRC mismatch")
        .hasMessageContaining("the latest checkpoint covers 3 entries");
  }

  @Test
  void damageFurtherBackThanOneBatchRefusesToOpen() throws Exception {
    Path live = tmp.resolve("live");
    Path image = tmp.resolve("image");
    LedgerOptions options =
        LedgerFixtures.options(live).maxBatchBytes(LedgerOptions.MIN_BATCH_BYTES).build();
    try (Ledger l = Ledger.open(options, LedgerFixtures.clock(), null, e -> {})) {
      for (int i = 1; i <= 60; i++) {
        l.append(LedgerFixtures.grant(i, i, 10, "site")).get();
      }
      crashImage(live, image);
    }
    Path file = image.resolve("ledger/entries.log");
    byte[] b = Files.readAllBytes(file);
    long second = BitFlipTest.recordStarts(b).get(1);
    b[(int) second + 20] ^= 0x40;
    Files.write(file, b);
    assertThatThrownBy(
            () ->
                Ledger.open(
                    LedgerFixtures.options(image).build(), LedgerFixtures.clock(), null, e -> {}))
        .isInstanceOf(LedgerCorruptionException.class)
        .hasMessageContaining("entries.log entry 1 at byte " + second + ": CRC mismatch")
        .hasMessageContaining("more than one batch (4096)");
  }

  @Test
  void aTornCheckpointIsCutAndReSigned() throws Exception {
    LedgerFixtures.writeTiny(tmp);
    Path file = tmp.resolve("ledger/checkpoints.log");
    byte[] b = Files.readAllBytes(file);
    List<Long> frames = BitFlipTest.frameStarts(b);
    long last = frames.get(frames.size() - 1);
    truncate(file, last + 30);
    try (Ledger l =
        Ledger.open(LedgerFixtures.options(tmp).build(), LedgerFixtures.clock(), null, e -> {})) {
      assertThat(l.recovery().checkpointBytesCut()).isEqualTo(30);
      assertThat(l.latestCheckpoint().size()).isEqualTo(3);
    }
    assertThat(LedgerVerifier.verify(tmp).ok()).isTrue();
  }

  @Test
  void aDamagedCheckpointFollowedByAnotherRefusesToOpen() throws Exception {
    LedgerFixtures.writeTiny(tmp);
    Path file = tmp.resolve("ledger/checkpoints.log");
    byte[] b = Files.readAllBytes(file);
    long first = BitFlipTest.frameStarts(b).get(0);
    b[(int) first + 40] ^= 2;
    Files.write(file, b);
    assertThatThrownBy(
            () ->
                Ledger.open(
                    LedgerFixtures.options(tmp).build(), LedgerFixtures.clock(), null, e -> {}))
        .isInstanceOf(LedgerCorruptionException.class)
        .hasMessageContaining("checkpoints.log at byte " + first + ": checkpoint 0: CRC mismatch")
        .hasMessageContaining("more frames follow it");
  }

  @Test
  void aMissingEntriesFileWithCheckpointsRefusesToStartOver() throws Exception {
    LedgerFixtures.writeTiny(tmp);
    Files.delete(tmp.resolve("ledger/entries.log"));
    assertThatThrownBy(
            () ->
                Ledger.open(
                    LedgerFixtures.options(tmp).build(), LedgerFixtures.clock(), null, e -> {}))
        .hasMessageContaining("holds checkpoints but entries.log is missing");
  }

  private static void truncate(Path file, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size);
    }
  }
}
