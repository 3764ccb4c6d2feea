package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code curl -x}, the way people use a proxy, against the forward listener. */
@ExtendWith(NoLeaks.class)
class CurlThroughProxyTest {

  @TempDir Path dir;
  TestOrigin origin;
  ForwardFixture proxy;

  @AfterEach
  void down() {
    if (proxy != null) {
      proxy.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  private static Path curl() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d, "curl");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Runs curl through the proxy; returns its exit code and writes its stdout to {@code out}. */
  private int curl(Path out, String... args) throws Exception {
    Path curl = curl();
    assumeTrue(curl != null, "curl is not installed; skipping the curl -x test");
    List<String> cmd = new ArrayList<>();
    cmd.add(curl.toString());
    cmd.addAll(
        List.of(
            "-sS",
            "--max-time",
            "20",
            "-x",
            "http://127.0.0.1:" + proxy.port(),
            "-o",
            out.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("curl.log").toFile());
    pb.environment()
        .keySet()
        .removeIf(k -> k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
    Process p = pb.start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("curl did not finish");
    }
    return p.exitValue();
  }

  @Test
  void curlGetsAndPostsThroughTheProxy() throws Exception {
    origin = TestOrigin.http();
    proxy =
        new ForwardFixture(
            dir.resolve("data"),
            new ForwardFixture.Yaml(),
            Map.of("api.corp.example", List.of(InetAddress.getLoopbackAddress())));
    String url = "http://api.corp.example:" + origin.port();
    Path out = dir.resolve("out.txt");

    assertThat(curl(out, url + "/v1/models?limit=2")).as(log()).isZero();
    assertThat(Files.readString(out))
        .startsWith("GET /v1/models?limit=2 host=api.corp.example:" + origin.port() + " auth=null");

    Path body = dir.resolve("body.json");
    Files.writeString(body, "{\"input\":\"" + "z".repeat(20_000) + "\"}");
    assertThat(curl(out, "--data-binary", "@" + body, url + "/v1/embeddings")).as(log()).isZero();
    assertThat(Files.readString(out))
        .startsWith("POST /v1/embeddings")
        .contains("len=" + Files.size(body))
        .endsWith(Files.readString(body));

    assertThat(proxy.sent("dest:employee/*.corp.example")).isEqualTo(origin.received());
  }

  @Test
  void curlTunnelsHttpsThroughConnect() throws Exception {
    TestCertificates certs = TestCertificates.selfSigned(dir, "api.corp.example");
    origin = TestOrigin.https(SslContextBuilder.forServer(certs.keyManagers).build());
    proxy =
        new ForwardFixture(
            dir.resolve("data"),
            new ForwardFixture.Yaml(),
            Map.of("api.corp.example", List.of(InetAddress.getLoopbackAddress())));
    Path out = dir.resolve("out.txt");
    assertThat(curl(out, "-k", "https://api.corp.example:" + origin.port() + "/secure"))
        .as(log())
        .isZero();
    assertThat(Files.readString(out)).startsWith("GET /secure host=api.corp.example:");
    assertThat(origin.awaitAllClosed()).isTrue();
    assertThat(proxy.sent("dest:employee/*.corp.example")).isEqualTo(origin.received());
  }

  private String log() throws Exception {
    Path l = dir.resolve("curl.log");
    return Files.exists(l) ? Files.readString(l, StandardCharsets.UTF_8) : "";
  }
}
