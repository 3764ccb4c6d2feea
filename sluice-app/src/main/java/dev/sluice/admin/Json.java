package dev.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.halt.HaltState;
import dev.sluice.time.WindowCalendar;
import java.time.Instant;
import java.util.List;

/** The admin API's JSON vocabulary: one mapper, instants as ISO-8601 UTC text, halts. */
final class Json {

  /** Thread-safe once configured; shared by every endpoint. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Puts {@code millis} as e.g. {@code "2026-11-23T00:00:00Z"}, or null for "never". */
  static void putInstant(ObjectNode node, String key, long millis) {
    if (millis == WindowCalendar.NEVER) {
      node.putNull(key);
    } else {
      node.put(key, Instant.ofEpochMilli(millis).toString());
    }
  }

  /** {@code [{"scope":..,"reason":..,"since":..}, ...]}. */
  static ArrayNode halts(List<HaltState.Halt> halts) {
    ArrayNode array = MAPPER.createArrayNode();
    for (HaltState.Halt h : halts) {
      ObjectNode o = array.addObject().put("scope", h.scope()).put("reason", h.reason());
      putInstant(o, "since", h.sinceMillis());
    }
    return array;
  }
}
