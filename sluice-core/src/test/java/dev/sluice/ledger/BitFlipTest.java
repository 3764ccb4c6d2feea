package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flipping a single bit anywhere in a ledger file makes verify fail and name the damaged spot:
 * every bit of a tiny ledger's three files, and one seeded-random bit of every byte of a larger
 * one. (Each verify checks Ed25519 signatures, which bounds how many flips a test can afford.)
 */
class BitFlipTest {

  @TempDir Path dir;

  @Test
  void everyBitOfATinyLedgersEntriesLog() throws Exception {
    checkEntriesLog(tiny(), false);
  }

  @Test
  void everyBitOfATinyLedgersCheckpointsLog() throws Exception {
    checkCheckpointsLog(tiny(), false);
  }

  @Test
  void everyBitOfTheVerifierKey() throws Exception {
    Path file = tiny().resolve("ledger.vkey");
    flipEach(file, false, (pos, p) -> assertThat(p.file()).isEqualTo("ledger.vkey"));
  }

  @Test
  void aSeededBitOfEveryByteOfALargerLedger() throws Exception {
    LedgerFixtures.writeSmall(dir);
    Path ledger = dir.resolve("ledger");
    checkEntriesLog(ledger, true);
    checkCheckpointsLog(ledger, true);
  }

  private Path tiny() throws Exception {
    LedgerFixtures.writeTiny(dir);
    Path ledger = dir.resolve("ledger");
    assertThat(LedgerVerifier.verify(ledger).ok()).isTrue();
    return ledger;
  }

  private static void checkEntriesLog(Path ledger, boolean onePerByte) throws Exception {
    Path file = ledger.resolve("entries.log");
    List<Long> starts = recordStarts(Files.readAllBytes(file));
    flipEach(
        file,
        onePerByte,
        (pos, p) -> {
          assertThat(p.file()).isEqualTo("entries.log");
          if (pos < EntriesFile.HEADER_SIZE) {
            assertThat(p.offset()).isBetween(0L, EntriesFile.HEADER_SIZE - 1L);
          } else {
            int r = containing(starts, pos);
            assertThat(p.entryIndex()).isEqualTo(r);
            assertThat(p.offset()).isEqualTo(starts.get(r));
          }
        });
  }

  private static void checkCheckpointsLog(Path ledger, boolean onePerByte) throws Exception {
    Path file = ledger.resolve("checkpoints.log");
    List<Long> starts = frameStarts(Files.readAllBytes(file));
    flipEach(
        file,
        onePerByte,
        (pos, p) -> {
          assertThat(p.file()).isEqualTo("checkpoints.log");
          if (pos < CheckpointsFile.HEADER_SIZE) {
            assertThat(p.offset()).isBetween(0L, CheckpointsFile.HEADER_SIZE - 1L);
          } else {
            int k = containing(starts, pos);
            assertThat(p.checkpoint()).isEqualTo(k);
            assertThat(p.offset()).isEqualTo(starts.get(k));
          }
        });
  }

  interface Expectation {
    void check(int bytePos, VerifyReport.Problem p);
  }

  /**
   * Flips each bit (or one seeded bit per byte) of {@code file}, verifying the ledger each time.
   */
  private static void flipEach(Path file, boolean onePerByte, Expectation expect) throws Exception {
    byte[] original = Files.readAllBytes(file);
    Path ledger = file.getParent();
    Random random = new Random(original.length);
    for (int pos = 0; pos < original.length; pos++) {
      int chosen = random.nextInt(8);
      for (int bit = 0; bit < 8; bit++) {
        if (onePerByte && bit != chosen) {
          continue;
        }
        byte[] damaged = original.clone();
        damaged[pos] ^= (byte) (1 << bit);
        Files.write(file, damaged);
        VerifyReport r = LedgerVerifier.verify(ledger);
        assertThat(r.ok())
            .as("flip of byte %d bit %d of %s", pos, bit, file.getFileName())
            .isFalse();
        try {
          expect.check(pos, r.problem());
        } catch (AssertionError e) {
          throw new AssertionError(
              "byte " + pos + " bit " + bit + ": " + r.problem().describe(), e);
        }
      }
    }
    Files.write(file, original);
    assertThat(LedgerVerifier.verify(ledger).ok()).isTrue();
  }

  static List<Long> recordStarts(byte[] file) {
    List<Long> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(file);
    for (int pos = EntriesFile.HEADER_SIZE;
        pos < file.length;
        pos += EntriesFile.recordSize(b.getInt(pos + 4))) {
      out.add((long) pos);
    }
    return out;
  }

  static List<Long> frameStarts(byte[] file) {
    List<Long> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(file);
    for (int pos = CheckpointsFile.HEADER_SIZE;
        pos < file.length;
        pos += CheckpointsFile.FRAME_OVERHEAD + b.getInt(pos + 4)) {
      out.add((long) pos);
    }
    return out;
  }

  private static int containing(List<Long> starts, long pos) {
    int r = 0;
    while (r + 1 < starts.size() && starts.get(r + 1) <= pos) {
      r++;
    }
    return r;
  }
}
