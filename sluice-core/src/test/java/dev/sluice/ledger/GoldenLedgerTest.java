package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.ManualClock;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked-in ledger under {@code src/test/resources/golden/ledger-v1/} was made by {@link
 * #writeGolden} with the fixed test key and a manual clock. These tests fail if the on-disk format,
 * the entry encoding, the hashing or the checkpoint text changes: format version 1 must stay
 * readable and byte-for-byte reproducible.
 *
 * <p>To regenerate after an intended format change (which needs a new format version): {@code
 * ./mvnw -pl sluice-core test -Dtest=GoldenLedgerTest -Dsluice.golden.update=true}.
 */
class GoldenLedgerTest {

  static final List<String> FILES = List.of("entries.log", "checkpoints.log", "ledger.vkey");

  @TempDir Path tmp;

  @Test
  void theGoldenLedgerVerifies() throws Exception {
    VerifyReport r = LedgerVerifier.verify(golden());
    assertThat(r.problem()).isNull();
    assertThat(r.entries()).isEqualTo(9);
    assertThat(r.checkpoints()).isEqualTo(4);
    assertThat(r.root()).isEqualTo(r.lastCheckpoint().root());
    assertThat(r.totals().get("site")).isEqualTo(new NodeTotals(1500, 250, 900, 100));
  }

  @Test
  void theGoldenEntriesDecodeToTheRecordedText() throws Exception {
    List<String> lines = new ArrayList<>();
    try (LedgerReader reader = LedgerReader.open(golden())) {
      reader.forEach(e -> lines.add("#" + e.index() + " @" + e.offset() + " " + e.entry()));
    }
    assertThat(lines)
        .containsExactlyElementsOf(
            Files.readAllLines(golden().resolve("entries.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void regeneratingGivesTheSameBytes() throws Exception {
    Path fresh = writeGolden(tmp.resolve("fresh"));
    if (Boolean.getBoolean("sluice.golden.update")) {
      Path target = Path.of("src/test/resources/golden/ledger-v1");
      Files.createDirectories(target);
      for (String f : FILES) {
        Files.copy(fresh.resolve(f), target.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
      List<String> lines = new ArrayList<>();
      try (LedgerReader reader = LedgerReader.open(fresh)) {
        reader.forEach(e -> lines.add("#" + e.index() + " @" + e.offset() + " " + e.entry()));
      }
      Files.write(target.resolve("entries.txt"), lines, StandardCharsets.UTF_8);
      return;
    }
    for (String f : FILES) {
      assertThat(Files.readAllBytes(fresh.resolve(f)))
          .as(f)
          .isEqualTo(Files.readAllBytes(golden().resolve(f)));
    }
  }

  /**
   * The recipe: every field kind, the budget entry types, a torn tail repaired with a GAP, and
   * checkpoints at creation, on demand, after the repair and at close.
   */
  static Path writeGolden(Path dataDir) throws Exception {
    Path live = dataDir.resolve("live");
    Path image = dataDir.resolve("image");
    ManualClock clock = LedgerFixtures.clock();
    try (Ledger l = Ledger.open(LedgerFixtures.options(live).build(), clock, null, e -> {})) {
      long t = clock.millis();
      l.append(
              LedgerEntry.builder(EntryType.START, t)
                  .put("node", "gw-1")
                  .put("version", "0.1.0")
                  .put("time_zone", "UTC")
                  .build())
          .get();
      l.append(LedgerFixtures.grant(t + 1, 1, 1000, "site", "inference", "inference/acme")).get();
      l.append(LedgerFixtures.grant(t + 2, 2, 500, "site", "employee")).get();
      l.checkpointNow();
      clock.advance(Duration.ofSeconds(5));
      l.append(
              LedgerEntry.builder(EntryType.DENY, clock.millis())
                  .putStrings("path", List.of("site", "inference", "inference/acme"))
                  .put("window", "day")
                  .put("reason", "cap reached: 1 000 € ≥ cap 🚫")
                  .putLongs("caps", List.of(1000L, -1L))
                  .putStrings("tags", List.of())
                  .build())
          .get();
      l.append(
              LedgerFixtures.settle(
                  clock.millis(), 1, 1000, 750, 250, "site", "inference", "inference/acme"))
          .get();
      TornTailTest.crashImage(live, image);
    }
    // The image lost its last record halfway: open cuts it and records a GAP.
    Path entries = image.resolve("ledger/entries.log");
    try (FileChannel ch = FileChannel.open(entries, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 40);
    }
    clock.advance(Duration.ofMinutes(1));
    try (Ledger l = Ledger.open(LedgerFixtures.options(image).build(), clock, null, e -> {})) {
      long t = clock.millis();
      l.append(LedgerFixtures.settle(t, 1, 1000, 750, 250, "site", "inference", "inference/acme"))
          .get();
      l.append(LedgerFixtures.stranded(t + 1, 2, 500, 150, 100, "site", "employee")).get();
      l.append(LedgerEntry.builder(EntryType.STOP, t + 2).put("clean", 1).build()).get();
    }
    return image.resolve("ledger");
  }

  private static Path golden() throws URISyntaxException {
    return Path.of(GoldenLedgerTest.class.getResource("/golden/ledger-v1/entries.log").toURI())
        .getParent();
  }
}
