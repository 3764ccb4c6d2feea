package dev.sluice.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of a webhook notification in Alertmanager's webhook format, version 4: one group of
 * alerts with the same {@code alertname} that changed in one evaluation.
 *
 * <pre>{@code
 * {"version":"4","groupKey":"{}:{alertname=\"SluiceBudgetThreshold\"}","truncatedAlerts":0,
 *  "status":"firing","receiver":"sluice","groupLabels":{"alertname":"SluiceBudgetThreshold"},
 *  "commonLabels":{..},"commonAnnotations":{..},"externalURL":"http://127.0.0.1:9901",
 *  "alerts":[{"status":"firing","labels":{..},"annotations":{"summary":..,"description":..},
 *             "startsAt":"2026-12-06T08:00:05Z","endsAt":"0001-01-01T00:00:00Z",
 *             "generatorURL":"http://127.0.0.1:9901/api/alerts","fingerprint":"1a30ba71cca2921f"}]}
 * }</pre>
 *
 * <p>{@code status} is {@code firing} when any alert of the group fires, else {@code resolved};
 * {@code commonLabels} and {@code commonAnnotations} hold the pairs every alert of the group
 * shares; a firing alert's {@code endsAt} is Go's zero time, as Alertmanager sends it. Times are
 * UTC ISO-8601 with milliseconds at most.
 */
final class WebhookPayload {

  /** The receiver name written in every notification. */
  static final String RECEIVER = "sluice";

  /** Alertmanager's {@code endsAt} of an alert that is still firing. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private WebhookPayload() {}

  /** The groups of {@code changes}, by {@code alertname}, in order of first appearance. */
  static Map<String, List<Alert>> groups(List<Alert> changes) {
    Map<String, List<Alert>> g = new LinkedHashMap<>();
    for (Alert a : changes) {
      g.computeIfAbsent(a.name(), k -> new java.util.ArrayList<>()).add(a);
    }
    return g;
  }

  static byte[] body(String alertname, List<Alert> alerts, String externalUrl) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("version", "4");
    root.put("groupKey", "{}:{alertname=\"" + escape(alertname) + "\"}");
    root.put("truncatedAlerts", 0);
    boolean firing = alerts.stream().anyMatch(a -> a.status() == Alert.Status.FIRING);
    root.put("status", firing ? "firing" : "resolved");
    root.put("receiver", RECEIVER);
    root.putObject("groupLabels").put("alertname", alertname);
    putMap(root.putObject("commonLabels"), common(alerts.stream().map(Alert::labels).toList()));
    putMap(
        root.putObject("commonAnnotations"),
        common(alerts.stream().map(Alert::annotations).toList()));
    root.put("externalURL", externalUrl);
    ArrayNode items = root.putArray("alerts");
    for (Alert a : alerts) {
      ObjectNode o = items.addObject();
      o.put("status", a.status().label());
      putMap(o.putObject("labels"), a.labels());
      putMap(o.putObject("annotations"), a.annotations());
      o.put("startsAt", iso(a.startsAtMillis()));
      o.put("endsAt", a.endsAtMillis() < 0 ? ZERO_TIME : iso(a.endsAtMillis()));
      o.put("generatorURL", generatorUrl(externalUrl));
      o.put("fingerprint", a.fingerprint());
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a webhook payload", e);
    }
  }

  static String generatorUrl(String externalUrl) {
    return (externalUrl.endsWith("/") ? externalUrl : externalUrl + "/") + "api/alerts";
  }

  static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  private static Map<String, String> common(List<? extends Map<String, String>> maps) {
    Map<String, String> common = new TreeMap<>(maps.get(0));
    for (Map<String, String> m : maps) {
      common.entrySet().removeIf(e -> !e.getValue().equals(m.get(e.getKey())));
    }
    return common;
  }

  private static void putMap(ObjectNode node, Map<String, String> map) {
    new TreeMap<>(map).forEach(node::put);
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
