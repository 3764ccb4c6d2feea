package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LedgerReader#readFrom}: a follower of a live ledger reads each entry once, picks up only
 * what was appended since its mark, and is told (not thrown at) when its mark no longer falls on a
 * whole record.
 */
class LedgerFollowTest {

  @TempDir Path dir;

  private final ManualClock clock = LedgerFixtures.clock();

  @Test
  void readsOnlyWhatWasAppendedSinceTheMark() throws IOException {
    try (Ledger l = Ledger.open(LedgerFixtures.options(dir).build(), clock, null, e -> {})) {
      l.append(LedgerFixtures.grant(clock.millis(), 1, 100, "site")).join();
      List<IndexedEntry> first = new ArrayList<>();
      LedgerReader.Progress p;
      try (LedgerReader r = LedgerReader.open(dir)) {
        p = r.readFrom(LedgerReader.Mark.START, first::add);
      }
      assertThat(p.problem()).isNull();
      assertThat(first).hasSize((int) l.size());
      assertThat(p.next().index()).isEqualTo(l.size());

      l.append(LedgerFixtures.grant(clock.millis(), 2, 200, "site")).join();
      l.append(LedgerFixtures.grant(clock.millis(), 3, 300, "site")).join();
      List<IndexedEntry> more = new ArrayList<>();
      LedgerReader.Progress q;
      try (LedgerReader r = LedgerReader.open(dir)) {
        q = r.readFrom(p.next(), more::add);
      }
      assertThat(q.problem()).isNull();
      assertThat(more)
          .extracting(IndexedEntry::index)
          .containsExactly(p.next().index(), p.next().index() + 1);
      assertThat(more).extracting(e -> e.entry().type()).containsOnly(EntryType.GRANT);
      assertThat(q.next().index()).isEqualTo(l.size());

      List<IndexedEntry> none = new ArrayList<>();
      try (LedgerReader r = LedgerReader.open(dir)) {
        assertThat(r.readFrom(q.next(), none::add)).isEqualTo(q);
      }
      assertThat(none).isEmpty();
    }
  }

  @Test
  void aMarkPastTheEndOrInsideARecordIsAProblemNotAnException() throws IOException {
    LedgerReader.Mark end;
    try (Ledger l = Ledger.open(LedgerFixtures.options(dir).build(), clock, null, e -> {})) {
      l.append(LedgerFixtures.grant(clock.millis(), 1, 100, "site")).join();
      end = new LedgerReader.Mark(l.size(), l.position().byteOffset());
    }
    try (LedgerReader r = LedgerReader.open(dir)) {
      List<IndexedEntry> read = new ArrayList<>();
      LedgerReader.Mark past = new LedgerReader.Mark(end.index() + 5, end.offset() + 4096);
      LedgerReader.Progress p = r.readFrom(past, read::add);
      assertThat(p.problem()).isNotNull();
      assertThat(p.next()).isEqualTo(past);

      LedgerReader.Mark inside = new LedgerReader.Mark(1, LedgerReader.Mark.START.offset() + 3);
      LedgerReader.Progress q = r.readFrom(inside, read::add);
      assertThat(q.problem()).contains("magic");
      assertThat(read).isEmpty();
    }
  }

  @Test
  void aRecordCutShortStopsTheFollowerAtTheLastWholeOne() throws IOException {
    long size;
    try (Ledger l = Ledger.open(LedgerFixtures.options(dir).build(), clock, null, e -> {})) {
      l.append(LedgerFixtures.grant(clock.millis(), 1, 100, "site")).join();
      size = l.size();
    }
    Path entries = LedgerReader.resolve(dir).resolve(EntriesFile.NAME);
    try (FileChannel ch = FileChannel.open(entries, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3); // the last record, as if its write were still in flight
    }
    try (LedgerReader r = LedgerReader.open(dir)) {
      List<IndexedEntry> read = new ArrayList<>();
      LedgerReader.Progress p = r.readFrom(LedgerReader.Mark.START, read::add);
      assertThat(read).hasSize((int) size - 1);
      assertThat(p.next().index()).isEqualTo(size - 1);
      assertThat(p.problem()).isNotNull();
    }
  }
}
