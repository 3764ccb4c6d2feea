package dev.sluice.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.halt.FleetHalts;
import java.io.IOException;

/**
 * The values of the fleet halt keys ({@link EtcdKeys#halt}, {@link EtcdKeys#lift}), JSON objects:
 *
 * <ul>
 *   <li>halt: {@code {"scope", "reason", "by", "node", "since"}} ({@code since}: epoch ms on the
 *       clock of {@code node}, the node that took it);
 *   <li>lift: {@code {"scope", "reason", "by", "node", "halt_revision"}} ({@code halt_revision}:
 *       the create revision of the halt key it deleted).
 * </ul>
 *
 * Unknown fields are ignored (a later version may add some); a missing or mistyped field makes the
 * value malformed, which the reader reports and skips.
 */
final class HaltRecords {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HaltRecords() {}

  static byte[] halt(FleetHalts.Halt h) {
    ObjectNode o = JSON.createObjectNode();
    o.put("scope", h.scope());
    o.put("reason", h.reason());
    o.put("by", h.by());
    o.put("node", h.node());
    o.put("since", h.sinceMillis());
    return bytes(o);
  }

  static byte[] lift(FleetHalts.Lift l) {
    ObjectNode o = JSON.createObjectNode();
    o.put("scope", l.scope());
    o.put("reason", l.reason());
    o.put("by", l.by());
    o.put("node", l.node());
    o.put("halt_revision", l.haltRevision());
    return bytes(o);
  }

  /**
   * @throws IllegalArgumentException naming the key and the field if the value is malformed
   */
  static FleetHalts.Halt parseHalt(String key, byte[] value, long createRevision) {
    JsonNode o = tree(key, value);
    return new FleetHalts.Halt(
        text(key, o, "scope"),
        text(key, o, "reason"),
        text(key, o, "by"),
        text(key, o, "node"),
        number(key, o, "since"),
        createRevision);
  }

  /**
   * @throws IllegalArgumentException naming the key and the field if the value is malformed
   */
  static FleetHalts.Lift parseLift(String key, byte[] value) {
    JsonNode o = tree(key, value);
    return new FleetHalts.Lift(
        text(key, o, "scope"),
        text(key, o, "reason"),
        text(key, o, "by"),
        text(key, o, "node"),
        number(key, o, "halt_revision"));
  }

  private static JsonNode tree(String key, byte[] value) {
    JsonNode o;
    try {
      o = JSON.readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException(key + ": not JSON", e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException(key + ": not a JSON object");
    }
    return o;
  }

  private static String text(String key, JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(key + ": " + field + " is missing or not a string");
    }
    return v.asText();
  }

  private static long number(String key, JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(key + ": " + field + " is missing or not an integer");
    }
    return v.asLong();
  }

  private static byte[] bytes(ObjectNode o) {
    try {
      return JSON.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + o, e);
    }
  }
}
