package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.IndexedEntry;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerReader;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaltEndpointsTest {

  static final String JSON = "application/json";

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

  List<IndexedEntry> ledgerTail(int n) throws IOException {
    try (LedgerReader r = LedgerReader.open(dataDir)) {
      return r.tail(n);
    }
  }

  long ledgerSize() throws IOException {
    try (LedgerReader r = LedgerReader.open(dataDir)) {
      return r.forEach(e -> {});
    }
  }

  @Test
  void withoutATokenHaltIs401AndNothingChanges() throws Exception {
    long before = ledgerSize();
    for (String auth : new String[] {null, "Basic Zm9vOmJhcg==", "Bearer", "Bearer "}) {
      HttpResponse<String> r = f.post("/api/halt", JSON, "{}", auth);
      assertThat(r.statusCode()).as(String.valueOf(auth)).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"sluice-admin\"");
      assertThat(r.body()).startsWith("{\"error\":{\"type\":\"unauthorized\",");
    }
    assertThat(f.halts.active()).isEmpty();
    assertThat(ledgerSize()).isEqualTo(before);
  }

  @Test
  void aWrongTokenIs403AndNothingChanges() throws Exception {
    long before = ledgerSize();
    String wrong = "0".repeat(64);
    HttpResponse<String> r = f.post("/api/halt", JSON, "{}", "Bearer " + wrong);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).startsWith("{\"error\":{\"type\":\"forbidden\",");
    HttpResponse<String> resume = f.post("/api/resume", JSON, "{}", "Bearer " + wrong);
    assertThat(resume.statusCode()).isEqualTo(403);
    assertThat(f.halts.active()).isEmpty();
    assertThat(ledgerSize()).isEqualTo(before);
  }

  @Test
  void haltTheSiteIsDurablyLedgeredBeforeTheAnswer() throws Exception {
    HttpResponse<String> r =
        f.post("/api/halt", JSON, "{\"reason\":\"incident 42\"}", "bearer " + f.token());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(f.halts.site().on()).isTrue();
    IndexedEntry last = ledgerTail(1).get(0);
    assertThat(r.body())
        .isEqualTo(
            "{\"scope\":\"site\",\"halted\":true,\"reason\":\"incident 42\","
                + "\"since\":\"2026-11-22T10:00:00Z\",\"changed\":true,\"ledger_index\":"
                + last.index()
                + ",\"halts\":[{\"scope\":\"site\",\"reason\":\"incident 42\","
                + "\"since\":\"2026-11-22T10:00:00Z\"}]}");
    LedgerEntry e = last.entry();
    assertThat(e.type()).isEqualTo(EntryType.HALT);
    assertThat(e.timeMillis()).isEqualTo(f.clock.millis());
    assertThat(e.getString("scope")).isEqualTo("site");
    assertThat(e.getString("reason")).isEqualTo("incident 42");
    assertThat(e.getString("by")).isEqualTo("admin-token");
  }

  @Test
  void haltingAgainChangesNothingAndWritesNothing() throws Exception {
    f.postJson("/api/halt", "{\"reason\":\"first\"}");
    long size = ledgerSize();
    f.clock.advance(Duration.ofMinutes(1));
    HttpResponse<String> again = f.postJson("/api/halt", "{\"reason\":\"second\"}");
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body())
        .contains("\"reason\":\"first\"")
        .contains("\"changed\":false")
        .doesNotContain("ledger_index");
    assertThat(ledgerSize()).isEqualTo(size);
  }

  @Test
  void aZoneHaltsAndResumesByFormOrJsonAndBothAreLedgered() throws Exception {
    HttpResponse<String> halt =
        f.post(
            "/api/halt",
            "application/x-www-form-urlencoded; charset=UTF-8",
            "zone=inference&reason=suspicious+upload",
            "Bearer " + f.token());
    assertThat(halt.statusCode()).as(halt.body()).isEqualTo(200);
    assertThat(f.halts.zone("inference").on()).isTrue();
    assertThat(f.halts.zone("employee").on()).isFalse();
    assertThat(f.halts.site().on()).isFalse();
    assertThat(halt.body()).startsWith("{\"scope\":\"inference\",\"halted\":true,");

    f.clock.advance(Duration.ofMinutes(5));
    HttpResponse<String> resume = f.postJson("/api/resume", "{\"zone\":\"inference\"}");
    assertThat(resume.statusCode()).as(resume.body()).isEqualTo(200);
    assertThat(f.halts.zone("inference").on()).isFalse();
    List<IndexedEntry> tail = ledgerTail(2);
    assertThat(resume.body())
        .isEqualTo(
            "{\"scope\":\"inference\",\"halted\":false,\"changed\":true,\"ledger_index\":"
                + tail.get(1).index()
                + ",\"halts\":[]}");

    LedgerEntry h = tail.get(0).entry();
    assertThat(h.type()).isEqualTo(EntryType.HALT);
    assertThat(h.getString("scope")).isEqualTo("inference");
    assertThat(h.getString("reason")).isEqualTo("suspicious upload");
    LedgerEntry r = tail.get(1).entry();
    assertThat(r.type()).isEqualTo(EntryType.RESUME);
    assertThat(r.timeMillis()).isEqualTo(Instant.parse("2026-11-22T10:05:00Z").toEpochMilli());
    assertThat(r.getString("scope")).isEqualTo("inference");
    assertThat(r.getString("reason")).isEqualTo(HaltEndpoints.DEFAULT_RESUME_REASON);
    assertThat(r.getString("by")).isEqualTo("admin-token");
  }

  @Test
  void resumingAZoneLeavesASiteHaltInForceAndSaysSo() throws Exception {
    f.postJson("/api/halt", "{}");
    f.postJson("/api/halt", "{\"zone\":\"employee\"}");
    HttpResponse<String> r = f.postJson("/api/resume", "{\"zone\":\"employee\"}");
    assertThat(r.body())
        .contains("\"halted\":false")
        .contains(
            "\"halts\":[{\"scope\":\"site\",\"reason\":\""
                + HaltEndpoints.DEFAULT_HALT_REASON
                + "\"");
    assertThat(f.halts.site().on()).isTrue();
  }

  @Test
  void resumingWhatIsNotHaltedChangesNothing() throws Exception {
    long size = ledgerSize();
    HttpResponse<String> r = f.post("/api/resume", null, "", "Bearer " + f.token());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo("{\"scope\":\"site\",\"halted\":false,\"changed\":false,\"halts\":[]}");
    assertThat(ledgerSize()).isEqualTo(size);
  }

  @Test
  void anUnknownZoneIs400NamingIt() throws Exception {
    long size = ledgerSize();
    HttpResponse<String> r = f.postJson("/api/halt", "{\"zone\":\"inferense\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body())
        .isEqualTo(
            "{\"error\":{\"type\":\"unknown_zone\",\"message\":\"unknown zone 'inferense';"
                + " the zones are inference, employee\"}}");
    assertThat(f.postJson("/api/resume", "{\"zone\":\"x\"}").statusCode()).isEqualTo(400);
    assertThat(f.halts.active()).isEmpty();
    assertThat(ledgerSize()).isEqualTo(size);
  }

  @Test
  void badBodiesAreRefusedWithoutActing() throws Exception {
    String auth = "Bearer " + f.token();
    assertThat(f.post("/api/halt", JSON, "{\"zome\":\"inference\"}", auth).body())
        .contains("\"type\":\"unknown_field\"")
        .contains("'zome'");
    assertThat(f.post("/api/halt", JSON, "{\"zone\":\"\"}", auth).statusCode()).isEqualTo(400);
    assertThat(f.post("/api/halt", JSON, "{\"zone\":3}", auth).statusCode()).isEqualTo(400);
    assertThat(f.post("/api/halt", JSON, "[1]", auth).body()).contains("\"type\":\"bad_json\"");
    assertThat(f.post("/api/halt", JSON, "{", auth).statusCode()).isEqualTo(400);
    assertThat(f.post("/api/halt", "text/plain", "zone=inference", auth).statusCode())
        .isEqualTo(415);
    assertThat(f.post("/api/halt", JSON, "{\"reason\":\"" + "x".repeat(257) + "\"}", auth).body())
        .contains("at most 256");
    assertThat(f.post("/api/halt", JSON, "{\"reason\":\"a\\nb\"}", auth).statusCode())
        .isEqualTo(400);
    assertThat(
            f.post("/api/halt", JSON, "{\"reason\":\"" + "x".repeat(70_000) + "\"}", auth)
                .statusCode())
        .isEqualTo(413);
    assertThat(f.halts.active()).isEmpty();
  }

  @Test
  void whenTheLedgerFailsAHaltStillHoldsButIsReportedNotLedgered() throws Exception {
    String token = f.token();
    f.store.ledger().close();

    HttpResponse<String> r = f.post("/api/halt", JSON, "{\"reason\":\"r\"}", "Bearer " + token);

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body())
        .startsWith(
            "{\"error\":{\"type\":\"not_ledgered\",\"message\":\"site is halted, but the halt"
                + " could not be ledgered: ")
        .contains("\"scope\":\"site\",\"halted\":true,\"changed\":true");
    assertThat(f.halts.site().on()).isTrue();
  }

  @Test
  void whenTheLedgerFailsAResumeDoesNotHappen() throws Exception {
    f.postJson("/api/halt", "{\"zone\":\"inference\"}");
    String token = f.token();
    f.store.ledger().close();

    HttpResponse<String> r =
        f.post("/api/resume", JSON, "{\"zone\":\"inference\"}", "Bearer " + token);

    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body())
        .startsWith(
            "{\"error\":{\"type\":\"not_ledgered\",\"message\":\"the resume of inference could"
                + " not be ledgered, so egress stays halted: ")
        .contains("\"scope\":\"inference\",\"halted\":true,\"changed\":false");
    assertThat(f.halts.zone("inference").on()).isTrue();
  }
}
