package dev.sluice.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The image's health probe against a real HTTP server and real sockets on loopback (port 0). */
class HealthProbeTest {

  private HttpServer server;
  private volatile int status = 200;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/readyz",
        ex -> {
          ex.sendResponseHeaders(status, -1);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private int probe(String target) {
    return HealthProbe.run(
        new String[] {target}, new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @Test
  void anAnswerOf200IsHealthy() {
    assertThat(probe(url("/readyz"))).isEqualTo(HealthProbe.HEALTHY);
  }

  @Test
  void anyOtherStatusIsUnhealthyAndNamed() {
    status = 503;
    assertThat(probe(url("/readyz"))).isEqualTo(HealthProbe.UNHEALTHY);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("503");
    status = 200;
    assertThat(probe(url("/nothing-here"))).isEqualTo(HealthProbe.UNHEALTHY);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("404");
  }

  @Test
  void aClosedPortIsUnhealthy() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    assertThat(probe("http://127.0.0.1:" + port + "/readyz")).isEqualTo(HealthProbe.UNHEALTHY);
    assertThat(probe("tcp://127.0.0.1:" + port)).isEqualTo(HealthProbe.UNHEALTHY);
  }

  @Test
  void tcpIsHealthyWhenTheConnectionOpens() {
    assertThat(probe("tcp://127.0.0.1:" + server.getAddress().getPort()))
        .isEqualTo(HealthProbe.HEALTHY);
  }

  @Test
  void aTargetItCannotParseIsAUsageError() {
    assertThat(probe("127.0.0.1:9901")).isEqualTo(HealthProbe.USAGE);
    assertThat(probe("ftp://127.0.0.1:21/")).isEqualTo(HealthProbe.USAGE);
    assertThat(probe("http://127.0.0.1/readyz")).isEqualTo(HealthProbe.USAGE);
    assertThat(HealthProbe.run(new String[0], new PrintStream(err))).isEqualTo(HealthProbe.USAGE);
  }
}
