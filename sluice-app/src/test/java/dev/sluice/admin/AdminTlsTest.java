package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.gateway.forward.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API with {@code admin.tls} on a non-loopback bind (issue 15): HTTPS with the configured
 * certificate, the bearer token still required, and nothing answered over plain HTTP.
 */
class AdminTlsTest {

  @TempDir Path dir;
  TestCertificates certs;
  AdminFixture f;
  String at;

  @BeforeEach
  void start() throws Exception {
    Path certDir = Files.createDirectories(dir.resolve("certs"));
    certs = TestCertificates.selfSigned(certDir, "localhost", "127.0.0.1");
    Path cert = certDir.resolve("admin.pem");
    Path key = certDir.resolve("admin.key");
    certs.writePem(cert, key);
    f = new AdminFixture(dir.resolve("data"), y -> withTls(y, cert, key));
    at = "127.0.0.1:" + f.server.address().getPort();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** The fixture's YAML with the admin API on every address, over TLS with these files. */
  static String withTls(String yaml, Path cert, Path key) {
    String tls =
        "admin:\n  bind: 0.0.0.0:0\n  tls: { cert: \"" + cert + "\", key: \"" + key + "\" }";
    String edited = yaml.replace("admin:\n  bind: 127.0.0.1:0", tls);
    assertThat(edited).contains(tls);
    return edited;
  }

  @Test
  void healthzAndAnAuthenticatedHaltWorkOverHttps() throws Exception {
    HttpClient https =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(certs.clientContext)
            .build();

    HttpResponse<String> health = send(https, HttpRequest.newBuilder(uri("https", "/healthz")));
    assertThat(health.statusCode()).isEqualTo(200);

    HttpResponse<String> anonymous =
        send(
            https,
            HttpRequest.newBuilder(uri("https", "/api/halt"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"tls test\"}")));
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(f.halts.active()).isEmpty();

    HttpResponse<String> halt =
        send(
            https,
            HttpRequest.newBuilder(uri("https", "/api/halt"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + f.token())
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"tls test\"}")));
    assertThat(halt.statusCode()).as(halt.body()).isEqualTo(200);
    assertThat(halt.body()).contains("\"changed\":true").contains("\"reason\":\"tls test\"");
    assertThat(f.halts.active()).hasSize(1);

    HttpResponse<String> budgets =
        send(https, HttpRequest.newBuilder(uri("https", "/api/budgets")));
    assertThat(budgets.body())
        .contains("\"admin\":{\"bind\":\"0.0.0.0:0\",\"tls\":true,\"exposed\":false}");
  }

  @Test
  void plainHttpToTheTlsPortGetsNoAnswer() {
    HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    assertThatThrownBy(() -> send(plain, HttpRequest.newBuilder(uri("http", "/healthz"))))
        .isInstanceOf(IOException.class);
    assertThat(f.halts.active()).isEmpty();
  }

  @Test
  void aCertificateThatCannotBeLoadedStopsTheStartNamingAdminTls() throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(
            () -> new AdminFixture(dir.resolve("data2"), y -> withTls(y, missing, missing)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(
            "admin.tls: cannot load TLS certificate " + missing + " and key " + missing + ": ");
  }

  private URI uri(String scheme, String path) {
    return URI.create(scheme + "://" + at + path);
  }

  private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder b)
      throws IOException, InterruptedException {
    return client.send(
        b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
