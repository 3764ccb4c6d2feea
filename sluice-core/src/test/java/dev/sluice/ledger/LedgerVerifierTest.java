package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerVerifierTest {

  @TempDir Path dir;

  @Test
  void aGoodLedgerVerifiesAndSumsBudgets() throws Exception {
    LedgerFixtures.writeSmall(dir);
    VerifyReport r = LedgerVerifier.verify(dir);
    assertThat(r.problem()).isNull();
    assertThat(r.ok()).isTrue();
    assertThat(r.entries()).isEqualTo(8);
    assertThat(r.checkpoints()).isEqualTo(4);
    assertThat(r.lastCheckpoint().size()).isEqualTo(8);
    assertThat(r.lastCheckpoint().root()).isEqualTo(r.root());
    assertThat(r.totals().keySet())
        .containsExactly("employee", "inference", "inference/acme", "site");
    assertThat(r.totals().get("employee")).isEqualTo(new NodeTotals(500, 0, 120, 380));
    assertThat(r.totals().get("inference")).isEqualTo(new NodeTotals(1200, 300, 700, 0));
    assertThat(r.totals().get("inference/acme")).isEqualTo(new NodeTotals(1200, 300, 700, 0));
    assertThat(r.totals().get("site")).isEqualTo(new NodeTotals(1700, 300, 820, 380));
    assertThat(r.totals().get("site").spent()).isEqualTo(1400);
  }

  @Test
  void aDataDirectoryIsAcceptedToo() throws Exception {
    LedgerFixtures.writeSmall(dir);
    assertThat(LedgerVerifier.verify(dir.resolve("ledger")).ok()).isTrue();
  }

  @Test
  void aCheckpointBeyondTheLogIsReported() throws Exception {
    LedgerFixtures.writeSmall(dir);
    Path entries = dir.resolve("ledger/entries.log");
    byte[] b = Files.readAllBytes(entries);
    // Drop the last record (HALT): the final checkpoint now covers more than the log.
    int lastRecord = lastRecordOffset(b);
    Files.write(entries, java.util.Arrays.copyOf(b, lastRecord));
    VerifyReport r = LedgerVerifier.verify(dir);
    assertThat(r.problem().describe())
        .contains("checkpoints.log: checkpoint 3 at byte")
        .contains("entries were removed");
  }

  @Test
  void forgedCheckpointsSignedWithTheRealKeyAreCaught() throws Exception {
    LedgerFixtures.writeSmall(dir);
    Path cps = dir.resolve("ledger/checkpoints.log");
    byte[] original = Files.readAllBytes(cps);
    // A rollback: a later checkpoint for a smaller tree.
    appendFrame(cps, Checkpoint.sign(LedgerFixtures.key(), 2, MerkleTree.EMPTY_ROOT, 0));
    assertThat(LedgerVerifier.verify(dir).problem().describe())
        .contains("checkpoint 4 at byte " + original.length)
        .contains("smaller than the previous");
    // A rewrite: a checkpoint of the right size over different entries.
    Files.write(cps, original);
    appendFrame(cps, Checkpoint.sign(LedgerFixtures.key(), 8, MerkleTree.EMPTY_ROOT, 0));
    assertThat(LedgerVerifier.verify(dir).problem().describe())
        .contains("checkpoint 4 at byte " + original.length)
        .contains("differs from the recomputed root");
  }

  @Test
  void anotherKeyIsRejected() throws Exception {
    LedgerFixtures.writeSmall(dir);
    NoteVerifier other = NoteSigner.fromSeed(LedgerFixtures.ORIGIN, new byte[32]).verifier();
    assertThat(LedgerVerifier.verify(dir, other).problem().describe())
        .isEqualTo(
            "checkpoints.log: checkpoint 0 at byte 12: note is not signed by key "
                + LedgerFixtures.ORIGIN
                + "+"
                + NoteVerifier.hexId(other.keyId()));
  }

  private static void appendFrame(Path file, Checkpoint c) throws Exception {
    ByteBuffer frame = CheckpointsFile.frame(c.note());
    byte[] add = new byte[frame.remaining()];
    frame.get(add);
    Files.write(file, add, java.nio.file.StandardOpenOption.APPEND);
  }

  static int lastRecordOffset(byte[] file) {
    ByteBuffer b = ByteBuffer.wrap(file);
    int pos = EntriesFile.HEADER_SIZE;
    int last = pos;
    while (pos < file.length) {
      last = pos;
      pos += EntriesFile.recordSize(b.getInt(pos + 4));
    }
    return last;
  }
}
