package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fuzz target: the ledger reader and verifier on a ledger one of whose files holds arbitrary bytes.
 * The other two files are the golden ledger's ({@code golden/ledger-v1}); the input's first byte
 * picks the file it replaces (entries.log, checkpoints.log, ledger.vkey), the rest is its content.
 * {@link LedgerVerifier#verify} returns a report (never throws for content); {@link LedgerReader}
 * reads or throws an {@link IOException} ({@link LedgerCorruptionException} for a bad record);
 * nothing else, in bounded time and memory.
 */
class LedgerFuzzTest {

  private static final String[] FILES = {
    EntriesFile.NAME, CheckpointsFile.NAME, LedgerKeys.VKEY_FILE
  };
  private static final byte[][] GOLDEN = new byte[FILES.length][];
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("sluice-ledger-fuzz");
      DIR.toFile().deleteOnExit();
      for (int i = 0; i < FILES.length; i++) {
        try (InputStream in =
            LedgerFuzzTest.class.getResourceAsStream("/golden/ledger-v1/" + FILES[i])) {
          GOLDEN[i] = in.readAllBytes();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void aDamagedLedgerVerifiesToAReport(byte[] data) throws IOException {
    int which = data.length == 0 ? 0 : (data[0] & 0xFF) % FILES.length;
    byte[] content = data.length == 0 ? data : Arrays.copyOfRange(data, 1, data.length);
    for (int i = 0; i < FILES.length; i++) {
      Path f = DIR.resolve(FILES[i]);
      Files.write(f, i == which ? content : GOLDEN[i]);
      f.toFile().deleteOnExit();
    }

    VerifyReport report = LedgerVerifier.verify(DIR);
    assertThat(report).isNotNull();
    if (!report.ok()) {
      assertThat(report.problem().describe()).isNotNull();
    }

    try (LedgerReader reader = LedgerReader.open(DIR)) {
      long[] n = {0};
      reader.forEach(e -> n[0]++);
      NoteVerifier key = reader.verifierKey();
      reader.latestCheckpoint(key);
      if (report.ok()) {
        assertThat(n[0]).isEqualTo(report.entries());
      }
    } catch (IOException expected) {
      // a malformed file or record: the reader's documented refusal
      assertThat(report.ok()).isFalse();
    }
  }
}
