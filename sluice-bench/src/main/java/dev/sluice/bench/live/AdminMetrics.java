package dev.sluice.bench.live;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads series from a gateway's {@code GET /metrics} (Prometheus text), as an operator would. */
public final class AdminMetrics {
  private final URI uri;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  public AdminMetrics(InetSocketAddress admin) {
    this.uri = URI.create("http://" + admin.getHostString() + ":" + admin.getPort() + "/metrics");
  }

  /** The whole text. */
  public String scrape() throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + uri + ": " + r.statusCode());
    }
    return r.body();
  }

  /** The value of {@code series} (name and labels as written, e.g. {@code a{b="c"}}), or 0. */
  public static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return 0;
  }

  /** {@code sluice_egress_bytes_total{listener="NAME"}}: every byte charged on the listener. */
  public static long egress(String text, String listener) {
    return (long) value(text, "sluice_egress_bytes_total{listener=\"" + listener + "\"}");
  }

  /** {@code sluice_edge_streams_open}: client connections carried on edge links now. */
  public static long edgeStreamsOpen(String text) {
    return (long) value(text, "sluice_edge_streams_open");
  }
}
