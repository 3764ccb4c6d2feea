package dev.sluice.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approved-transfer file and record format: records round-trip, expired ones are left out of a
 * write, and a record whose bytes changed (one flipped character, a torn line) is skipped and
 * reported instead of read.
 */
class TransferFileTest {

  @TempDir Path dir;

  private static final String APPROVALS =
      "sluice-approval-v1\nkind: transfer\noperator: alice\nrunning: ab\nsubject:"
          + " inference,acme,5000,/v1/*\nexpires: 2026-12-06T11:00:00Z\nsignature: AA==\n";

  @Test
  void recordsRoundTripAndExpiredOnesAreNotWritten() throws Exception {
    TransferFile f = new TransferFile(dir.resolve("transfers"));
    TransferRecord live = new TransferRecord("inference,acme,5000,/v1/*", 2_000, APPROVALS);
    TransferRecord gone = new TransferRecord("inference,acme,9000,*", 1_000, APPROVALS);
    f.write(List.of(live, gone), 1_000);
    List<String> problems = new ArrayList<>();
    assertThat(f.read(problems::add)).containsExactly(live);
    assertThat(problems).isEmpty();
    assertThat(Files.readAllLines(f.path()).get(0)).isEqualTo("sluice-transfers-v1");
    assertThat(TransferRecord.parse(live.encode())).isEqualTo(live);
    assertThat(live.key()).hasSize(32).isNotEqualTo(gone.key());
  }

  @Test
  void aChangedOrTornLineIsSkippedAndReported() throws Exception {
    TransferFile f = new TransferFile(dir.resolve("transfers"));
    TransferRecord a = new TransferRecord("inference,acme,5000,/v1/*", 2_000, APPROVALS);
    TransferRecord b = new TransferRecord("inference,acme,7000,/v2", 2_000, APPROVALS);
    f.write(List.of(a, b), 0);
    String text = Files.readString(f.path());
    String edited = text.replace("inference,acme,5000", "inference,acme,9000");
    String torn = edited.substring(0, edited.length() - 10);
    Files.writeString(f.path(), torn, StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    assertThat(f.read(problems::add)).isEmpty();
    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).contains(":2:").contains("CRC32C mismatch");
    assertThatThrownBy(() -> TransferRecord.parse("v1 1 x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFileOfAnotherFormatAllowsNothing() throws Exception {
    Path p = Files.writeString(dir.resolve("transfers"), "something else\n");
    List<String> problems = new ArrayList<>();
    assertThat(new TransferFile(p).read(problems::add)).isEmpty();
    assertThat(problems).singleElement().asString().contains("not a sluice-transfers-v1 file");
  }
}
