package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unknown paths, wrong methods and error bodies, through the running server. */
class RouterTest {

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
  void unknownPathsAre404JsonErrorsAndPrefixesDoNotMatch() throws Exception {
    for (String path :
        new String[] {"/index.html", "/nope", "/healthzz", "/api/budgets/site", "/api"}) {
      HttpResponse<String> r = f.get(path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValue("application/json; charset=utf-8");
      assertThat(r.body())
          .isEqualTo(
              "{\"error\":{\"type\":\"not_found\",\"message\":\"no such endpoint: "
                  + path
                  + "\"}}");
    }
  }

  @Test
  void wrongMethodsAre405WithAllow() throws Exception {
    HttpResponse<String> r = f.post("/api/budgets", null, "", null);
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET");
    assertThat(r.body())
        .isEqualTo(
            "{\"error\":{\"type\":\"method_not_allowed\","
                + "\"message\":\"POST is not allowed on /api/budgets; use GET\"}}");

    HttpResponse<String> get = f.get("/api/halt");
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");

    HttpResponse<String> delete = f.send(HttpRequest.newBuilder(f.uri("/healthz")).DELETE());
    assertThat(delete.statusCode()).isEqualTo(405);
  }
}
