package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BudgetsEndpointTest {

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
            {"window":"day","cap":2000000000,"spent":0,"sent":0,
             "remaining":2000000000,"resets_at":"2026-11-23T00:00:00Z"}]},
          {"id":"tenant:employee/default","limits":[
            {"window":"day","cap":100000000,"spent":0,"sent":0,
             "remaining":100000000,"resets_at":"2026-11-23T00:00:00Z"}]},
          {"id":"dest:employee/*.corp.example","limits":[
            {"window":"day","cap":1000000000,"spent":0,"sent":0,
             "remaining":1000000000,"resets_at":"2026-11-23T00:00:00Z"}]},
          {"id":"control","limits":[
            {"window":"day","cap":1048576,"spent":0,"sent":0,
             "remaining":1048576,"resets_at":"2026-11-23T00:00:00Z"}]}]}
        """;
    assertThat(r.body())
        .isEqualTo(expected.replaceAll("\\s+", "").replace("STORE", "local:" + f.config.dataDir()));
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
