package dev.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.ledger.IndexedEntry;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerTime;
import java.util.List;

/**
 * A ledger entry as JSON, the one shape shared by {@code sluice ledger tail --json} and {@code GET
 * /api/events}: {@code {"index":12,"offset":4096,"type":"deny","time":"2026-11-22T21:31:50.123Z",
 * "fields":{"node":"tenant:inference/acme",..}}}; field values are numbers, strings or arrays of
 * them, as stored. Thread-safe: stateless.
 */
public final class EntryJson {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private EntryJson() {}

  public static ObjectNode of(IndexedEntry e) {
    ObjectNode o = JSON.objectNode();
    o.put("index", e.index());
    o.put("offset", e.offset());
    o.put("type", e.entry().type().label());
    o.put("time", LedgerTime.format(e.entry().timeMillis()));
    ObjectNode fields = o.putObject("fields");
    for (LedgerEntry.Field f : e.entry().fields()) {
      fields.set(f.key(), value(f.value()));
    }
    return o;
  }

  private static JsonNode value(Object v) {
    if (v instanceof Long l) {
      return JSON.numberNode(l);
    }
    if (v instanceof String s) {
      return JSON.textNode(s);
    }
    ArrayNode a = JSON.arrayNode();
    for (Object o : (List<?>) v) {
      a.add(value(o));
    }
    return a;
  }
}
