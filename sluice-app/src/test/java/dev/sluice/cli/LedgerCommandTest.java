package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.time.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class LedgerCommandTest {

  @TempDir Path data;
  Path ledger;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  @BeforeEach
  void writeLedger() throws Exception {
    ManualClock clock = ManualClock.at("2026-11-22T21:31:50.123Z");
    LedgerOptions options = LedgerOptions.builder(data, "sluice.test/site").build();
    try (Ledger l = Ledger.open(options, clock, null, e -> {})) {
      long t = clock.millis();
      l.append(
              LedgerEntry.builder(EntryType.GRANT, t)
                  .put("id", 1)
                  .put("set", 1)
                  .putStrings("nodes", List.of("site", "inference"))
                  .put("amount", 4096)
                  .put("expires_at", t + 60_000)
                  .put("sent", 0)
                  .build())
          .get();
      l.append(
              LedgerEntry.builder(EntryType.SETTLE, t + 1)
                  .put("set", 1)
                  .putStrings("nodes", List.of("site", "inference"))
                  .put("granted", 4096)
                  .put("sent", 1000)
                  .put("returned", 3096)
                  .put("reason", "clean shutdown")
                  .build())
          .get();
      l.append(LedgerEntry.builder(EntryType.DENY, t + 2).put("tenant", "acme").build()).get();
    }
    ledger = data.resolve("ledger");
  }

  /**
   * Runs the CLI with writers like picocli's defaults (auto-flush on println only, over a byte
   * stream), so output that is printed but not flushed is caught.
   */
  int run(String... args) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    CommandLine cl = SluiceCli.newCommandLine();
    cl.setOut(new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true));
    int code = cl.execute(args);
    out.write(stdout.toString(StandardCharsets.UTF_8));
    err.write(stderr.toString(StandardCharsets.UTF_8));
    return code;
  }

  @Test
  void verifyPrintsASummaryWithBudgetTotals() {
    assertThat(run("ledger", "verify", data.toString())).isZero();
    assertThat(out.toString())
        .contains("OK ledger " + data + " verified")
        .contains("origin:          sluice.test/site")
        .contains("entries:         4 (tree size 4)")
        .contains("last checkpoint: size 4, signed 2026-11-22T21:31:50.123Z (2 checkpoints)")
        .containsPattern("site\\s+4096\\s+3096\\s+1000\\s+1000\\s+0")
        .containsPattern("inference\\s+4096\\s+3096\\s+1000\\s+1000\\s+0");
  }

  @Test
  void verifyNamesTheFirstProblemAndExitsOne() throws Exception {
    Path entries = ledger.resolve("entries.log");
    byte[] b = Files.readAllBytes(entries);
    b[b.length - 10] ^= 4;
    Files.write(entries, b);
    assertThat(run("ledger", "verify", ledger.toString())).isEqualTo(1);
    assertThat(out.toString().strip())
        .matches("FAIL entries\\.log: entry 3 at byte \\d+: CRC mismatch .*");
    assertThat(out.toString().lines()).hasSize(1);
  }

  @Test
  void verifyAgainstAnIndependentKeyCatchesASwappedKey() throws Exception {
    String realKey = Files.readString(ledger.resolve("ledger.vkey")).strip();
    assertThat(run("ledger", "verify", ledger.toString(), "--vkey", realKey)).isZero();
    String otherKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    assertThat(run("ledger", "verify", ledger.toString(), "--vkey", otherKey)).isEqualTo(1);
    assertThat(out.toString())
        .contains(
            "FAIL checkpoints.log: checkpoint 0 at byte 12: note is not signed by key PeterNeumann+c74f20a3");
  }

  @Test
  void verifyOfAMissingLedgerIsAnIoError() {
    assertThat(run("ledger", "verify", data.resolve("nothing").toString())).isEqualTo(3);
    assertThat(err.toString()).contains("no ledger at");
  }

  @Test
  void tailShowsTheLastEntriesAsText() {
    assertThat(run("ledger", "tail", data.toString(), "-n", "2")).isZero();
    assertThat(out.toString().lines().toList())
        .containsExactly(
            "#2  2026-11-22T21:31:50.124Z  settle  set=1 nodes=[site,inference] granted=4096 sent=1000 returned=3096 reason=\"clean shutdown\"",
            "#3  2026-11-22T21:31:50.125Z  deny  tenant=acme");
  }

  @Test
  void tailAsJsonLines() throws Exception {
    assertThat(run("ledger", "tail", ledger.toString(), "--json")).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(4);
    JsonNode grant = new ObjectMapper().readTree(lines.get(1));
    assertThat(grant.get("index").asLong()).isEqualTo(1);
    assertThat(grant.get("offset").asLong()).isPositive();
    assertThat(grant.get("type").asText()).isEqualTo("grant");
    assertThat(grant.get("time").asText()).isEqualTo("2026-11-22T21:31:50.123Z");
    assertThat(grant.get("fields").get("nodes").toString()).isEqualTo("[\"site\",\"inference\"]");
    assertThat(grant.get("fields").get("amount").asLong()).isEqualTo(4096);
  }

  @Test
  void proveAndCheckProof() throws Exception {
    Path proof = data.resolve("proof.json");
    assertThat(run("ledger", "prove", ledger.toString(), "--index", "1", "--out", proof.toString()))
        .isZero();
    JsonNode doc = new ObjectMapper().readTree(Files.readString(proof));
    assertThat(doc.get("format").asText()).isEqualTo("sluice-inclusion-proof/v1");
    assertThat(doc.get("tree_size").asLong()).isEqualTo(4);
    assertThat(doc.get("path")).hasSize(2);
    assertThat(run("ledger", "prove", ledger.toString(), "--index", "1")).isZero();
    assertThat(new ObjectMapper().readTree(out.toString())).isEqualTo(doc);
    out.getBuffer().setLength(0);

    Path vkey = ledger.resolve("ledger.vkey");
    assertThat(run("ledger", "check-proof", proof.toString(), "--vkey", vkey.toString())).isZero();
    assertThat(out.toString())
        .contains("OK entry 1 is in ledger sluice.test/site at tree size 4")
        .contains(
            "#1  2026-11-22T21:31:50.123Z  grant  id=1 set=1 nodes=[site,inference] amount=4096")
        .doesNotContain("note:");

    out.getBuffer().setLength(0);
    assertThat(run("ledger", "check-proof", proof.toString())).isZero();
    assertThat(out.toString()).contains("note: checked against the key inside the proof");
  }

  @Test
  void aTamperedProofFails() throws Exception {
    Path proof = data.resolve("proof.json");
    run("ledger", "prove", ledger.toString(), "--index", "2", "--out", proof.toString());
    String doc = Files.readString(proof, StandardCharsets.UTF_8);
    JsonNode tree = new ObjectMapper().readTree(doc);
    String firstHash = tree.get("path").get(0).asText();
    String flipped = (firstHash.charAt(0) == 'A' ? "B" : "A") + firstHash.substring(1);
    Files.writeString(proof, doc.replace(firstHash, flipped));
    assertThat(run("ledger", "check-proof", proof.toString())).isEqualTo(1);
    assertThat(out.toString())
        .startsWith("FAIL the audit path does not lead from entry 2 to the checkpoint root");

    String otherIndex = doc.replace("\"index\" : 2", "\"index\" : 3");
    Files.writeString(proof, otherIndex);
    out.getBuffer().setLength(0);
    assertThat(run("ledger", "check-proof", proof.toString())).isEqualTo(1);
    assertThat(out.toString()).startsWith("FAIL");
  }

  @Test
  void provingAnEntryBeyondTheLatestCheckpointFails() {
    assertThat(run("ledger", "prove", ledger.toString(), "--index", "9")).isEqualTo(1);
    assertThat(err.toString()).contains("entry 9 is not covered by the latest checkpoint (size 4)");
  }

  @Test
  void ledgerWithoutSubcommandPrintsUsage() {
    assertThat(run("ledger")).isZero();
    assertThat(out.toString()).contains("verify", "tail", "prove", "check-proof");
  }
}
