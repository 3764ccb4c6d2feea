package dev.sluice.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.admin.EntryJson;
import dev.sluice.ledger.IndexedEntry;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerTime;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How entries are shown: one readable line ({@code #12 2026-11-22T21:31:50.123Z grant id=1
 * nodes=[site,inference] amount=4096}) or one JSON object. Strings that are not plain words are
 * JSON-quoted so a line cannot be misread. Thread-safe: stateless.
 */
final class EntryFormat {

  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@+-]+");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private EntryFormat() {}

  static String line(IndexedEntry e) {
    LedgerEntry entry = e.entry();
    StringBuilder sb =
        new StringBuilder()
            .append('#')
            .append(e.index())
            .append("  ")
            .append(LedgerTime.format(entry.timeMillis()))
            .append("  ")
            .append(entry.type().label())
            .append(' ');
    for (LedgerEntry.Field f : entry.fields()) {
      sb.append(' ').append(f.key()).append('=').append(value(f.value()));
    }
    return sb.toString();
  }

  /** The JSON object of {@link EntryJson}, shared with {@code GET /api/events}. */
  static ObjectNode json(IndexedEntry e) {
    return EntryJson.of(e);
  }

  private static String value(Object v) {
    if (v instanceof List<?> list) {
      return list.stream().map(EntryFormat::value).collect(Collectors.joining(",", "[", "]"));
    }
    if (v instanceof String s && !PLAIN.matcher(s).matches()) {
      return JSON.textNode(s).toString();
    }
    return String.valueOf(v);
  }
}
