package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.time.Window;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's page and the JSON it reads, on a real admin server with a manual clock: the page
 * needs no token and forbids inline script; the JSON needs the token; rates, events, checkpoint age
 * and exfiltration figures are what the node's state says.
 */
class DashboardEndpointsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private AdminFixture admin;

  @BeforeEach
  void start() throws IOException {
    admin = new AdminFixture(dir);
  }

  @AfterEach
  void stop() {
    admin.close();
  }

  private HttpResponse<String> authed(String path) throws IOException, InterruptedException {
    return admin.send(
        HttpRequest.newBuilder(admin.uri(path)).header("Authorization", "Bearer " + admin.token()));
  }

  private JsonNode json(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = authed(path);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  @Test
  void thePageAndItsFilesAreServedWithoutATokenUnderAStrictPolicy() throws Exception {
    HttpResponse<String> page = admin.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .doesNotContain("unsafe-inline");
    assertThat(page.body()).contains("/dashboard/app.js").doesNotContain("<script>");
    HttpResponse<String> js = admin.get("/dashboard/app.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
    assertThat(js.body())
        .doesNotContain("innerHTML")
        .doesNotContainPattern("https?://(?!www\\.w3\\.org/2000/svg)") // nothing from another host
        .contains("textContent");
    assertThat(admin.get("/dashboard/app.css").statusCode()).isEqualTo(200);
    assertThat(admin.get("/dashboard/other.js").statusCode()).isEqualTo(404);
  }

  @Test
  void theDashboardsJsonNeedsTheToken() throws Exception {
    for (String path :
        new String[] {"/api/rates", "/api/events", "/api/checkpoint", "/api/exfiltration"}) {
      assertThat(admin.get(path).statusCode()).as(path).isEqualTo(401);
      HttpResponse<String> wrong =
          admin.send(
              HttpRequest.newBuilder(admin.uri(path)).header("Authorization", "Bearer nope"));
      assertThat(wrong.statusCode()).as(path).isEqualTo(403);
      assertThat(authed(path).statusCode()).as(path).isEqualTo(200);
    }
  }

  @Test
  void ratesArePerNodeBytesPerSecondBetweenSamples() throws Exception {
    assertThat(json("/api/rates").path("times")).isEmpty(); // one reading at start, no point yet
    admin.charge("inference", "acme", 10_000);
    admin.clock.advance(Duration.ofSeconds(10));
    admin.server.rates().sample();
    admin.charge("inference", "default", 5_000);
    admin.clock.advance(Duration.ofSeconds(10));
    admin.server.rates().sample();

    JsonNode rates = json("/api/rates");
    assertThat(rates.path("step_seconds").asLong()).isEqualTo(10);
    assertThat(rates.path("times")).hasSize(2);
    assertThat(rates.path("times").get(1).asText()).isEqualTo(admin.clock.instant().toString());
    assertThat(series(rates, "tenant:inference/acme")).containsExactly(1000L, 0L);
    assertThat(series(rates, "tenant:inference/default")).containsExactly(0L, 500L);
    assertThat(series(rates, "zone:inference")).containsExactly(1000L, 500L);
    assertThat(series(rates, "site")).containsExactly(1000L, 500L);
  }

  private static Long[] series(JsonNode rates, String id) {
    for (JsonNode s : rates.path("series")) {
      if (s.path("id").asText().equals(id)) {
        Long[] out = new Long[s.path("bytes_per_second").size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = s.path("bytes_per_second").get(i).asLong();
        }
        return out;
      }
    }
    throw new AssertionError("no series " + id + " in " + rates);
  }

  @Test
  void eventsAreTheNewestNotableLedgerEntriesNewestFirst() throws Exception {
    admin.charge("inference", "acme", 10_000); // a grant: routine, not shown
    HttpResponse<String> halt =
        admin.postJson("/api/halt", "{\"reason\":\"<img src=x onerror=alert(1)> drill\"}");
    assertThat(halt.statusCode()).as(halt.body()).isEqualTo(200);

    JsonNode events = json("/api/events?limit=50").path("events");
    assertThat(events.get(0).path("type").asText()).isEqualTo("halt");
    assertThat(events.get(0).path("fields").path("reason").asText())
        .isEqualTo("<img src=x onerror=alert(1)> drill");
    assertThat(events.findValuesAsText("type"))
        .doesNotContain("grant", "settle")
        .contains("genesis");
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).path("index").asLong())
          .isLessThan(events.get(i - 1).path("index").asLong());
    }
    assertThat(json("/api/events?limit=1").path("events")).hasSize(1);

    HttpResponse<String> resume = admin.postJson("/api/resume", "{\"reason\":\"over\"}");
    assertThat(resume.statusCode()).as(resume.body()).isEqualTo(200);
    JsonNode after = json("/api/events").path("events"); // read on from the previous mark
    assertThat(after.get(0).path("type").asText()).isEqualTo("resume");
    assertThat(after.get(1).path("type").asText()).isEqualTo("halt");

    for (String bad : new String[] {"0", "201", "x"}) {
      HttpResponse<String> r = authed("/api/events?limit=" + bad);
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("limit must be a whole number from 1 to 200, got " + bad);
    }
  }

  @Test
  void theCheckpointsAgeIsOnTheNodesClock() throws Exception {
    admin.store.ledger().checkpointNow();
    admin.clock.advance(Duration.ofSeconds(90));
    JsonNode c = json("/api/checkpoint");
    assertThat(c.path("ledger_size").asLong()).isEqualTo(admin.store.ledger().size());
    assertThat(c.path("checkpoint").path("size").asLong())
        .isEqualTo(admin.store.ledger().latestCheckpoint().size());
    assertThat(c.path("checkpoint").path("age_seconds").asLong()).isEqualTo(90);
  }

  @Test
  void exfiltrationDaysAreThoseOfTheMetrics() throws Exception {
    JsonNode ex = json("/api/exfiltration");
    long weights = admin.config.model().weightBytes();
    assertThat(ex.path("weights_bytes").asLong()).isEqualTo(weights);
    assertThat(ex.path("days_at_current_rate").isNull()).isTrue(); // rate 0: never
    for (JsonNode l : ex.path("limits")) {
      Window w = Window.valueOf(l.path("window").asText().toUpperCase(java.util.Locale.ROOT));
      double days = Exfiltration.daysAtCap(weights, w, l.path("cap").asLong());
      if (Double.isInfinite(days)) {
        assertThat(l.path("days_at_cap").isNull()).as(l.toString()).isTrue();
      } else {
        assertThat(l.path("days_at_cap").asDouble()).as(l.toString()).isEqualTo(days);
      }
    }
    assertThat(ex.path("limits").findValuesAsText("node"))
        .contains("site", "tenant:inference/acme");
  }
}
