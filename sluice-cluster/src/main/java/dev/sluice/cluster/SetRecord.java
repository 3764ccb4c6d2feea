package dev.sluice.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The grant record of one escrow set: the value of {@code {prefix}/v1/sets/{node}/{setId}}, written
 * in the same etcd transaction as the counters it charged. It says which counter keys the set's
 * bytes are in ({@code nodes} x {@code periods}), so a settlement credits exactly those keys even
 * if the time zone or the budget tree changed since.
 *
 * <p>JSON, one object: {@code set_id}, {@code node} (gateway node), {@code set_time}, {@code nodes}
 * (budget node ids, site first), {@code periods} ({@code {"day": start, "week": start, "month":
 * start, "lifetime": 0}}), {@code granted} (cumulative bytes), {@code sent} (as reported with the
 * latest grant), {@code last_grant} (grant id), {@code last_amount}, {@code expires_at} and {@code
 * updated_at} (epoch ms). Unknown fields are ignored when read.
 */
public record SetRecord(
    long setId,
    String node,
    long setTime,
    List<String> nodes,
    Map<Window, Long> periods,
    long granted,
    long sent,
    long lastGrant,
    long lastAmount,
    long expiresAt,
    long updatedAt) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public SetRecord {
    Objects.requireNonNull(node, "node");
    nodes = List.copyOf(nodes);
    EnumMap<Window, Long> p = new EnumMap<>(Window.class);
    p.putAll(periods);
    if (p.size() != Window.values().length) {
      throw new IllegalArgumentException("set " + setId + ": periods of every window needed: " + p);
    }
    periods = java.util.Collections.unmodifiableMap(p);
  }

  /** The period starts (key segments) of {@code setTime} on {@code calendar}. */
  static Map<Window, Long> periodsOf(WindowCalendar calendar, long setTime) {
    EnumMap<Window, Long> p = new EnumMap<>(Window.class);
    for (Window w : Window.values()) {
      p.put(w, EtcdKeys.period(w, calendar.periodStart(w, setTime)));
    }
    return p;
  }

  /** This record after one more grant. */
  SetRecord plus(long grantId, long amount, long sentNow, long expires, long now) {
    return new SetRecord(
        setId,
        node,
        setTime,
        nodes,
        periods,
        Math.addExact(granted, amount),
        Math.max(sent, sentNow),
        grantId,
        amount,
        expires,
        now);
  }

  byte[] toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("set_id", setId);
    o.put("node", node);
    o.put("set_time", setTime);
    ArrayNode a = o.putArray("nodes");
    nodes.forEach(a::add);
    ObjectNode p = o.putObject("periods");
    periods.forEach((w, start) -> p.put(w.label(), start));
    o.put("granted", granted);
    o.put("sent", sent);
    o.put("last_grant", lastGrant);
    o.put("last_amount", lastAmount);
    o.put("expires_at", expiresAt);
    o.put("updated_at", updatedAt);
    try {
      return JSON.writeValueAsBytes(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode set record " + setId, e);
    }
  }

  /**
   * Reads a record; {@code key} is only for messages.
   *
   * @throws IllegalArgumentException naming the key and the field when the value is malformed
   */
  static SetRecord parse(String key, byte[] value) {
    JsonNode o;
    try {
      o = JSON.readTree(value);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "set record " + key + " is not JSON: " + new String(value, StandardCharsets.UTF_8), e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("set record " + key + " is not a JSON object");
    }
    JsonNode list = field(key, o, "nodes");
    if (!list.isArray()) {
      throw new IllegalArgumentException("set record " + key + ": nodes is not a list");
    }
    List<String> nodes = new ArrayList<>();
    for (JsonNode n : list) {
      if (!n.isTextual()) {
        throw new IllegalArgumentException("set record " + key + ": nodes has a non-string " + n);
      }
      nodes.add(n.asText());
    }
    JsonNode per = field(key, o, "periods");
    EnumMap<Window, Long> periods = new EnumMap<>(Window.class);
    for (Window w : Window.values()) {
      periods.put(w, number(key, per, w.label()));
    }
    JsonNode node = field(key, o, "node");
    if (!node.isTextual()) {
      throw new IllegalArgumentException("set record " + key + ": node is not a string");
    }
    long granted = number(key, o, "granted");
    long sent = number(key, o, "sent");
    if (granted < 0 || sent < 0) {
      throw new IllegalArgumentException(
          "set record " + key + ": negative granted " + granted + " or sent " + sent);
    }
    return new SetRecord(
        number(key, o, "set_id"),
        node.asText(),
        number(key, o, "set_time"),
        nodes,
        periods,
        granted,
        sent,
        number(key, o, "last_grant"),
        number(key, o, "last_amount"),
        number(key, o, "expires_at"),
        number(key, o, "updated_at"));
  }

  private static JsonNode field(String key, JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("set record " + key + " has no field " + name);
    }
    return v;
  }

  private static long number(String key, JsonNode o, String name) {
    JsonNode v = field(key, o, name);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException(
          "set record " + key + ": " + name + " is not a 64-bit integer: " + v);
    }
    return v.asLong();
  }
}
