package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthEndpointsTest {

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
  void healthzAnswersOkWhileTheProcessRuns() throws Exception {
    HttpResponse<String> r = f.get("/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok\n");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
  }

  @Test
  void readyWhenListenersAreBoundAndTheLedgerIsHealthy() throws Exception {
    HttpResponse<String> r = f.get("/readyz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            "{\"ready\":true,\"checks\":{\"listeners_bound\":true,\"ledger_healthy\":true}}");
  }

  @Test
  void notReadyUntilListenersAreBound() throws Exception {
    f.listenersBound.set(false);
    HttpResponse<String> r = f.get("/readyz");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(r.body())
        .isEqualTo(
            "{\"error\":{\"type\":\"not_ready\",\"message\":\"not ready: listeners are not bound\"},"
                + "\"ready\":false,\"checks\":{\"listeners_bound\":false,\"ledger_healthy\":true}}");
    f.listenersBound.set(true);
    assertThat(f.get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void notReadyOnceTheLedgerFails() throws Exception {
    f.store.ledger().close();
    HttpResponse<String> r = f.get("/readyz");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body())
        .contains("the ledger is not healthy")
        .contains("\"checks\":{\"listeners_bound\":true,\"ledger_healthy\":false}");
    // Health is about the process, not the ledger.
    assertThat(f.get("/healthz").statusCode()).isEqualTo(200);
  }
}
