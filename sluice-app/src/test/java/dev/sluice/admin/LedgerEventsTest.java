package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.time.ManualClock;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LedgerEvents} on a real ledger: notable entries newest first, routine ones left out, only
 * the newest {@link LedgerEvents#KEPT} kept, entries appended later picked up, and a file whose
 * records no longer match the mark read again from the start rather than misread.
 */
class LedgerEventsTest {

  @TempDir Path dir;

  private final ManualClock clock = ManualClock.at("2026-11-22T10:00:00Z");

  private Ledger open() throws IOException {
    return Ledger.open(
        LedgerOptions.builder(dir, "sluice.test/site").build(), clock, null, e -> {});
  }

  private LedgerEntry entry(EntryType type, String reason) {
    return LedgerEntry.builder(type, clock.millis()).put("reason", reason).build();
  }

  /** {@code type:reason} of each event served, newest first. */
  private static List<String> served(LedgerEvents events, int limit) throws IOException {
    AdminExchange ex =
        new AdminExchange(
            "GET",
            "/api/events",
            Map.of("limit", List.of(String.valueOf(limit))),
            new DefaultHttpHeaders(),
            new byte[0]);
    events.serve(ex);
    assertThat(ex.status()).isEqualTo(200);
    List<String> out = new ArrayList<>();
    for (JsonNode e : Json.MAPPER.readTree(ex.responseBody()).path("events")) {
      out.add(e.path("type").asText() + ":" + e.path("fields").path("reason").asText());
    }
    return out;
  }

  @Test
  void notableEntriesNewestFirstAndLaterOnesPickedUp() throws IOException {
    LedgerEvents events = new LedgerEvents(dir);
    try (Ledger l = open()) {
      l.append(entry(EntryType.HALT, "h1")).join();
      l.append(entry(EntryType.GRANT, "routine")).join();
      l.append(entry(EntryType.DENY, "d1")).join();
      assertThat(served(events, 50)).containsExactly("deny:d1", "halt:h1", "genesis:");
      l.append(entry(EntryType.SETTLE, "routine")).join();
      l.append(entry(EntryType.RESUME, "r1")).join();
      assertThat(served(events, 50)).containsExactly("resume:r1", "deny:d1", "halt:h1", "genesis:");
      assertThat(served(events, 2)).containsExactly("resume:r1", "deny:d1");
      // the scan stage's findings are shown (issue 17)
      l.append(entry(EntryType.DETECTION, "x1")).join();
      assertThat(served(events, 2)).containsExactly("detection:x1", "resume:r1");
    }
  }

  @Test
  void onlyTheNewestAreKept() throws IOException {
    LedgerEvents events = new LedgerEvents(dir);
    try (Ledger l = open()) {
      for (int i = 0; i < 250; i++) {
        l.append(entry(EntryType.DENY, "d" + i));
      }
      l.append(entry(EntryType.DENY, "d250")).join();
    }
    List<String> kept = served(events, LedgerEvents.KEPT);
    assertThat(kept).hasSize(LedgerEvents.KEPT);
    assertThat(kept.get(0)).isEqualTo("deny:d250");
    assertThat(kept.get(LedgerEvents.KEPT - 1)).isEqualTo("deny:d51");
  }

  @Test
  void aMarkThatNoLongerFallsOnARecordIsNoticedAndTheFileReadAgain() throws IOException {
    LedgerEvents events = new LedgerEvents(dir);
    try (Ledger l = open()) {
      l.append(entry(EntryType.HALT, "h1")).join();
      l.append(entry(EntryType.DENY, "d1 " + "x".repeat(40))).join();
    }
    assertThat(served(events, 50)).hasSize(3);

    // Another file under the same name (the data directory replaced): the old mark is past its
    // end. Read twice with nothing new there, it is read again from its first entry.
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .sorted(Comparator.reverseOrder())
          .filter(p -> !p.equals(dir))
          .forEach(LedgerEventsTest::delete);
    }
    try (Ledger l = open()) {
      l.append(entry(EntryType.HALT, "h2")).join();
      l.append(entry(EntryType.DENY, "d2")).join();
    }
    served(events, 50);
    assertThat(served(events, 50)).containsExactly("deny:d2", "halt:h2", "genesis:");
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
