package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The admin API of a running {@link SluiceProcess}, read as a client would. */
final class AdminApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SluiceProcess sluice;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  AdminApi(SluiceProcess sluice) {
    this.sluice = sluice;
  }

  private String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(sluice.adminUri(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /**
   * {@code POST path} with the JSON {@code body} and the node's admin token (read from {@code
   * tokenFile}); the status and the parsed answer.
   */
  Answer post(String path, String body, java.nio.file.Path tokenFile)
      throws IOException, InterruptedException {
    String token = java.nio.file.Files.readString(tokenFile).strip();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(sluice.adminUri(path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), JSON.readTree(r.body()));
  }

  /** A status and a JSON body. */
  record Answer(int status, JsonNode json) {}

  /** {@code GET /api/config}: the configuration running, with its {@code sha256}. */
  JsonNode config() throws IOException, InterruptedException {
    return JSON.readTree(get("/api/config"));
  }

  /** {@code GET /api/budgets}. */
  JsonNode budgets() throws IOException, InterruptedException {
    return JSON.readTree(get("/api/budgets"));
  }

  /** The limit {@code window} of node {@code id} in a {@code /api/budgets} body. */
  static JsonNode limit(JsonNode budgets, String id, String window) {
    for (JsonNode n : budgets.path("nodes")) {
      if (n.path("id").asText().equals(id)) {
        for (JsonNode l : n.path("limits")) {
          if (l.path("window").asText().equals(window)) {
            return l;
          }
        }
      }
    }
    throw new IllegalArgumentException("no " + window + " limit of " + id + " in " + budgets);
  }

  /**
   * The entry of gateway node {@code nodeId} in the {@code gateway_nodes} of a {@code /api/budgets}
   * body (etcd store), or a missing node if it is not listed.
   */
  static JsonNode gatewayNode(JsonNode budgets, String nodeId) {
    for (JsonNode g : budgets.path("gateway_nodes")) {
      if (g.path("node_id").asText().equals(nodeId)) {
        return g;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  /** Every limit in a {@code /api/budgets} body, keyed {@code node/window}. */
  static Map<String, JsonNode> limits(JsonNode budgets) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (JsonNode n : budgets.path("nodes")) {
      for (JsonNode l : n.path("limits")) {
        out.put(n.path("id").asText() + "/" + l.path("window").asText(), l);
      }
    }
    return out;
  }

  /** {@code GET /metrics}. */
  /** The SHA-256 of the configuration the node runs ({@code GET /api/config}). */
  String configSha256() throws IOException, InterruptedException {
    return JSON.readTree(get("/api/config")).path("sha256").asText();
  }

  String metrics() throws IOException, InterruptedException {
    return get("/metrics");
  }

  /** The value of the unlabelled series {@code name} in Prometheus text, or NaN if absent. */
  static double metric(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return Double.NaN;
  }

  /**
   * The value of the series {@code name} with the single label {@code label="value"}, e.g. {@code
   * sluice_cluster_node_live{gateway_node="b"}}, or NaN if absent.
   */
  static double metric(String text, String name, String label, String value) {
    return metric(text, name + "{" + label + "=\"" + value + "\"}");
  }
}
