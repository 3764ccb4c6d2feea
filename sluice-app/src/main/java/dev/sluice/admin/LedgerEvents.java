package dev.sluice.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.IndexedEntry;
import dev.sluice.ledger.LedgerReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;

/**
 * The body of {@code GET /api/events?limit=N}: the newest ledger entries worth a person's look,
 * newest first, each as {@link EntryJson} ({@code {"events":[..]}}). Denials, halts and resumes,
 * alerts, stranded escrow, gaps, starts and configurations: every type except the routine ones
 * ({@link #ROUTINE}: grants, settlements, connection summaries), so entry types added later show up
 * without a change here.
 *
 * <p>It follows the node's own ledger file with a {@link LedgerReader} (the reader of {@code sluice
 * ledger tail}): the first request reads the whole file once, later ones only what was appended
 * since ({@link LedgerReader#readFrom}), and the newest {@link #KEPT} entries stay in memory. A
 * record still being written is read at the next request; when the same mark fails twice with
 * nothing new (the writer cut its tail after an I/O error and wrote on), it starts again from the
 * first entry. Thread-safe: requests are served one at a time.
 */
final class LedgerEvents {

  /** Entries kept, and the largest {@code limit} accepted. */
  static final int KEPT = 200;

  /** {@code limit} when the request has none. */
  static final int DEFAULT_LIMIT = 50;

  /** Entry types that are not shown: one per grant, settlement or connection. */
  static final Set<EntryType> ROUTINE =
      EnumSet.of(EntryType.GRANT, EntryType.SETTLE, EntryType.CONNECTION);

  private final Path dataDir;

  // Guarded by this.
  private final ArrayDeque<IndexedEntry> recent = new ArrayDeque<>();
  private LedgerReader.Mark mark = LedgerReader.Mark.START;
  private LedgerReader.Mark failedAt;

  /**
   * @param dataDir the node's data directory (its ledger is in {@code ledger/})
   */
  LedgerEvents(Path dataDir) {
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
  }

  /** {@code GET /api/events}: {@code limit} from the query, 1 to {@link #KEPT}. */
  void serve(AdminExchange ex) throws IOException {
    int limit = limit(ex.query("limit"));
    ObjectNode body = Json.object();
    ArrayNode events = body.putArray("events");
    synchronized (this) {
      catchUp();
      Iterator<IndexedEntry> newestFirst = recent.descendingIterator();
      for (int i = 0; i < limit && newestFirst.hasNext(); i++) {
        events.add(EntryJson.of(newestFirst.next()));
      }
    }
    Replies.json(ex, 200, body);
  }

  static int limit(String value) {
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= KEPT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiError(
        400, "bad_request", "limit must be a whole number from 1 to " + KEPT + ", got " + value);
  }

  private void catchUp() throws IOException {
    try (LedgerReader reader = LedgerReader.open(dataDir)) {
      LedgerReader.Progress p = reader.readFrom(mark, this::keep);
      if (p.problem() != null && p.next().equals(mark) && mark.equals(failedAt)) {
        recent.clear();
        p = reader.readFrom(LedgerReader.Mark.START, this::keep);
      }
      failedAt = p.problem() == null ? null : p.next();
      mark = p.next();
    }
  }

  private void keep(IndexedEntry e) {
    if (ROUTINE.contains(e.entry().type())) {
      return;
    }
    if (recent.size() == KEPT) {
      recent.removeFirst();
    }
    recent.addLast(e);
  }
}
