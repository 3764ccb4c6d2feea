package dev.sluice.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  static ObjectNode json(IndexedEntry e) {
    ObjectNode o = JSON.objectNode();
    o.put("index", e.index());
    o.put("offset", e.offset());
    o.put("type", e.entry().type().label());
    o.put("time", LedgerTime.format(e.entry().timeMillis()));
    ObjectNode fields = o.putObject("fields");
    for (LedgerEntry.Field f : e.entry().fields()) {
      fields.set(f.key(), jsonValue(f.value()));
    }
    return o;
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

  private static com.fasterxml.jackson.databind.JsonNode jsonValue(Object v) {
    if (v instanceof Long l) {
      return JSON.numberNode(l);
    }
    if (v instanceof String s) {
      return JSON.textNode(s);
    }
    ArrayNode a = JSON.arrayNode();
    for (Object o : (List<?>) v) {
      a.add(jsonValue(o));
    }
    return a;
  }
}
