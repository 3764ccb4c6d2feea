package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BudgetsEndpointTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;
  AdminFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new AdminFixture(dataDir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void everyNodeAndLimitWithSpentSentRemainingAndReset() throws Exception {
    // One grant of 4 MiB (an eighth of acme's 200 MB day, clamped to escrow.max_chunk) on
    // site -> zone:inference -> tenant:inference/acme, of which 300 kB were sent.
    f.charge("inference", "acme", 300_000);
    f.postJson("/api/halt", "{\"zone\":\"inference\",\"reason\":\"maintenance\"}");

    HttpResponse<String> r = f.get("/api/budgets");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    String expected =
        """
        {"site":"quickstart","mode":"enforce","halted":true,
         "halts":[{"scope":"inference","reason":"maintenance","since":"2026-11-22T10:00:00Z"}],
         "admin":{"bind":"127.0.0.1:0","tls":false,"exposed":false},
         "store":{"type":"local","name":"STORE"},
         "nodes":[
          {"id":"site","limits":[
            {"window":"day","cap":810000000,"spent":4194304,"sent":300000,
             "remaining":805805696,"resets_at":"2026-11-23T00:00:00Z"},
            {"window":"lifetime","cap":40500000000000,"spent":4194304,"sent":300000,
             "remaining":40499995805696,"resets_at":null}]},
          {"id":"zone:inference","limits":[
            {"window":"day","cap":500000000,"spent":4194304,"sent":300000,
             "remaining":495805696,"resets_at":"2026-11-23T00:00:00Z"}]},
          {"id":"tenant:inference/default","limits":[
            {"window":"day","cap":50000000,"spent":0,"sent":0,
             "remaining":50000000,"resets_at":"2026-11-23T00:00:00Z"}]},
          {"id":"tenant:inference/acme","limits":[
            {"window":"day","cap":200000000,"spent":4194304,"sent":300000,
             "remaining":195805696,"resets_at":"2026-11-23T00:00:00Z"},
            {"window":"month","cap":3000000000,"spent":4194304,"sent":300000,
             "remaining":2995805696,"resets_at":"2026-12-01T00:00:00Z"}]},
          {"id":"zone:employee","limits":[
            {"window":"day","cap":300000000,"spent":0,"sent":0,
             "remaining":300000000,"resets_at":"2026-11-23T00:00:00Z"}]},
          {"id":"tenant:employee/default","limits":[
            {"window":"day","cap":100000000,"spent":0,"sent":0,
             "remaining":100000000,"resets_at":"2026-11-23T00:00:00Z"}]},
          {"id":"dest:employee/*.corp.example","limits":[
            {"window":"day","cap":200000000,"spent":0,"sent":0,
             "remaining":200000000,"resets_at":"2026-11-23T00:00:00Z"}]},
          {"id":"control","limits":[
            {"window":"day","cap":1048576,"spent":0,"sent":0,
             "remaining":1048576,"resets_at":"2026-11-23T00:00:00Z"}]}]}
        """;
    assertThat(withoutExfiltration(r.body()))
        .isEqualTo(expected.replaceAll("\\s+", "").replace("STORE", "local:" + f.config.dataDir()));
  }

  /** The body without the time-to-exfiltrate figures (tested on their own below). */
  private static String withoutExfiltration(String body) throws Exception {
    ObjectNode root = (ObjectNode) JSON.readTree(body);
    root.remove("exfiltration");
    for (JsonNode n : root.path("nodes")) {
      for (JsonNode l : n.path("limits")) {
        ((ObjectNode) l).remove("exfiltration_days_at_cap");
      }
    }
    return JSON.writeValueAsString(root);
  }

  @Test
  void timeToExfiltrateTheWeightsAndTheirSmallestUsefulCopy() throws Exception {
    JsonNode b = JSON.readTree(f.get("/api/budgets").body());
    JsonNode ex = b.path("exfiltration");
    assertThat(ex.path("weights_bytes").asLong()).isEqualTo(810_000_000_000L);
    assertThat(ex.path("smallest_useful_copy").path("bytes").asLong()).isEqualTo(50_625_000_000L);
    assertThat(ex.path("smallest_useful_copy").path("as_configured").asText())
        .isEqualTo("1/16 weights");
    assertThat(ex.path("egress_rate_bytes_per_second").asDouble()).isZero();
    // Nothing left yet: at rate 0 neither ever leaves (null, +Inf in /metrics).
    assertThat(ex.path("days_at_current_rate").path("weights").isNull()).isTrue();
    assertThat(ex.path("days_at_current_rate").path("smallest_useful_copy").isNull()).isTrue();

    JsonNode site = b.path("nodes").get(0);
    assertThat(site.path("id").asText()).isEqualTo("site");
    JsonNode day = site.path("limits").get(0).path("exfiltration_days_at_cap");
    assertThat(day.path("weights").asDouble()).isEqualTo(1000.0);
    assertThat(day.path("smallest_useful_copy").asDouble()).isEqualTo(62.5);
    JsonNode lifetime = site.path("limits").get(1).path("exfiltration_days_at_cap");
    assertThat(lifetime.path("weights").asDouble()).isZero();
    assertThat(lifetime.path("smallest_useful_copy").asDouble()).isZero();
  }

  @Test
  void aConfiguredSmallestUsefulCopyIsUsed() throws Exception {
    f.close();
    f =
        new AdminFixture(
            dataDir.resolve("copy"),
            y ->
                y.replace(
                    "  weight_bytes: 810GB",
                    "  weight_bytes: 810GB\n  smallest_useful_copy: 1/100 weights"));
    JsonNode b = JSON.readTree(f.get("/api/budgets").body());
    assertThat(b.path("exfiltration").path("smallest_useful_copy").path("bytes").asLong())
        .isEqualTo(8_100_000_000L);
    JsonNode day = b.path("nodes").get(0).path("limits").get(0).path("exfiltration_days_at_cap");
    assertThat(day.path("smallest_useful_copy").asDouble()).isEqualTo(10.0);
  }

  @Test
  void nothingHaltedIsFalseAndAnEmptyList() throws Exception {
    String body = f.get("/api/budgets").body();
    assertThat(body)
        .startsWith("{\"site\":\"quickstart\",\"mode\":\"enforce\",\"halted\":false,\"halts\":[],");
  }

  @Test
  void reportModeIsNamed() throws Exception {
    f.close();
    f =
        new AdminFixture(
            dataDir.resolve("report"), y -> y.replace("mode: enforce", "mode: report"));
    assertThat(f.get("/api/budgets").body()).contains("\"mode\":\"report\"");
  }
}
