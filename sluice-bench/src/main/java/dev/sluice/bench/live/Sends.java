package dev.sluice.bench.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What the family upstream says it sent for one stream ({@code GET /sluice/sends/ID}): when each
 * write was handed to its socket (epoch nanoseconds), the size of each write, the SHA-256 of the
 * whole body, and the UTF-8 bytes of the answer text.
 */
public record Sends(
    long id, String family, long[] sendEpochNanos, int[] sizes, String bodySha256, int textBytes) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** Fetches stream {@code id}'s sends from the upstream at {@code baseUrl} (http://HOST:PORT). */
  public static Sends fetch(String baseUrl, long id) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(baseUrl + "/sluice/sends/" + id))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /sluice/sends/" + id + ": " + r.statusCode() + " " + r.body());
    }
    JsonNode j = JSON.readTree(r.body());
    long[] times = new long[j.path("send_epoch_nanos").size()];
    for (int i = 0; i < times.length; i++) {
      times[i] = j.path("send_epoch_nanos").get(i).asLong();
    }
    int[] sizes = new int[j.path("sizes").size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = j.path("sizes").get(i).asInt();
    }
    return new Sends(
        j.path("id").asLong(),
        j.path("family").asText(),
        times,
        sizes,
        j.path("body_sha256").asText(),
        j.path("text_bytes").asInt());
  }
}
