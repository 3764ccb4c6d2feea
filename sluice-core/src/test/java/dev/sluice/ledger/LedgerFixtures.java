package dev.sluice.ledger;

import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Deterministic ledgers for tests: a fixed key, a manual clock and budget entries. */
final class LedgerFixtures {

  static final String ORIGIN = "sluice.test/site";

  private LedgerFixtures() {}

  /** The fixed test key: seed bytes 0, 1, ..., 31. */
  static NoteSigner key() {
    byte[] seed = new byte[32];
    for (int i = 0; i < seed.length; i++) {
      seed[i] = (byte) i;
    }
    return NoteSigner.fromSeed(ORIGIN, seed);
  }

  static ManualClock clock() {
    return ManualClock.at("2026-11-22T21:31:50.123Z");
  }

  /** Options for {@code dataDir} signing with {@link #key()} (written to dataDir/test.key). */
  static LedgerOptions.Builder options(Path dataDir) {
    Path keyFile = dataDir.resolve("test.key");
    try {
      Files.createDirectories(dataDir);
      if (!Files.exists(keyFile)) {
        Files.writeString(keyFile, key().encode() + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return LedgerOptions.builder(dataDir, ORIGIN)
        .signingKey(keyFile)
        .checkpointInterval(Duration.ofDays(1));
  }

  static LedgerEntry grant(long time, long id, long amount, String... nodes) {
    return LedgerEntry.builder(EntryType.GRANT, time)
        .put("id", id)
        .put("set", id)
        .putStrings("nodes", List.of(nodes))
        .put("amount", amount)
        .put("expires_at", time + 60_000)
        .put("sent", 0)
        .build();
  }

  static LedgerEntry settle(
      long time, long set, long granted, long sent, long returned, String... nodes) {
    return LedgerEntry.builder(EntryType.SETTLE, time)
        .put("set", set)
        .putStrings("nodes", List.of(nodes))
        .put("granted", granted)
        .put("sent", sent)
        .put("returned", returned)
        .put("reason", "shutdown")
        .build();
  }

  static LedgerEntry stranded(
      long time, long set, long granted, long sent, long stranded, String... nodes) {
    return LedgerEntry.builder(EntryType.STRANDED, time)
        .put("set", set)
        .putStrings("nodes", List.of(nodes))
        .put("granted", granted)
        .put("sent", sent)
        .put("stranded", stranded)
        .build();
  }

  /** A tiny ledger for exhaustive damage tests: genesis, a grant and a settle, two checkpoints. */
  static void writeTiny(Path dataDir) throws Exception {
    ManualClock clock = clock();
    try (Ledger l = Ledger.open(options(dataDir).build(), clock, null, e -> {})) {
      long t = clock.millis();
      l.append(grant(t, 1, 1000, "site", "inference")).get();
      l.append(settle(t + 1, 1, 1000, 700, 300, "site", "inference")).get();
    }
  }

  /**
   * A small ledger: genesis, three grants, a settle, a stranded set and a connection, with
   * checkpoints after entries 1, 4 and 7 (close).
   */
  static void writeSmall(Path dataDir) throws Exception {
    ManualClock clock = clock();
    try (Ledger l = Ledger.open(options(dataDir).build(), clock, null, e -> {})) {
      long t = clock.millis();
      l.append(grant(t, 1, 1000, "site", "inference", "inference/acme")).get();
      l.checkpointNow();
      l.append(grant(t + 1, 2, 500, "site", "employee")).get();
      l.append(grant(t + 2, 3, 200, "site", "inference", "inference/acme")).get();
      l.append(settle(t + 3, 1, 1000, 700, 300, "site", "inference", "inference/acme")).get();
      l.checkpointNow();
      l.append(stranded(t + 4, 2, 500, 120, 380, "site", "employee")).get();
      l.append(
              LedgerEntry.builder(EntryType.CONNECTION, t + 5)
                  .put("bytes_out", 700)
                  .put("tenant", "acme")
                  .build())
          .get();
      l.append(LedgerEntry.builder(EntryType.HALT, t + 6).put("zone", "employee").build()).get();
    }
  }
}
