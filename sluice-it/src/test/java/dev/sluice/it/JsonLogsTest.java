package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.DemoUpstream;
import dev.sluice.demo.GeneratedAnswers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: with {@code logging: { format: json }} a real {@code sluice run} writes every line of
 * its stderr as one JSON object (start-up, the connection lines, the drain at SIGTERM), with the
 * connection line's fields as fields of their own, even when a client put ESC and NUL in a value.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JsonLogsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private DemoUpstream upstream;
  private SluiceProcess sluice;

  @AfterEach
  void stop() {
    if (sluice != null) {
      sluice.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void everyLineIsOneJsonObjectWithTheConnectionFieldsAsFields() throws Exception {
    upstream = DemoUpstream.start("127.0.0.1", 0, new GeneratedAnswers(1), DemoOptions.defaults());
    String yaml =
        "site: it\n"
            + "model: { name: it-model, weight_bytes: 10GB }\n"
            + "data_dir: \""
            + dir.resolve("data")
            + "\"\n"
            + "budgets:\n"
            + "  limits: [ { window: day, cap: 1GB } ]\n"
            + "  zones:\n"
            + "    inference:\n"
            + "      tenants: { acme: {} }\n"
            + "    employee:\n"
            + "      tenants: { default: {} }\n"
            + "      destinations: { \"*.corp.example\": {} }\n"
            + "listeners:\n"
            + "  - { name: api, mode: reverse, bind: 127.0.0.1:0, zone: inference,"
            + " tenant_header: X-Tenant, upstream: \"http://127.0.0.1:"
            + upstream.address().getPort()
            + "\" }\n"
            + "  - { name: out, mode: forward, bind: 127.0.0.1:0, zone: employee }\n"
            + "admin: { bind: 127.0.0.1:0 }\n"
            + "logging: { format: json }\n";
    Path config = Files.writeString(dir.resolve("sluice.yaml"), yaml);
    sluice = SluiceProcess.start(config, dir);

    RawHttp.Response ok =
        RawHttp.exchange(sluice.listener("api"), RawHttp.chat("acme", 0, false), WAIT);
    assertThat(ok.status()).isEqualTo(200);
    String host = "evil\u001b[2J\u0000.corp.example";
    RawHttp.Response bad =
        RawHttp.exchange(
            sluice.listener("out"),
            ("GET http://" + host + "/x HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
            WAIT);
    assertThat(bad.status()).isEqualTo(403);
    assertThat(sluice.terminate()).isZero();

    List<JsonNode> lines = new ArrayList<>();
    String stderr = Files.readString(dir.resolve("stderr-1.log"), StandardCharsets.UTF_8);
    for (String line : stderr.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      assertThat(line).as("printable ASCII").matches("[\\x20-\\x7e]+");
      JsonNode n = JSON.readTree(line);
      assertThat(n.isObject()).as(line).isTrue();
      for (String key : List.of("time", "level", "logger", "thread", "message")) {
        assertThat(n.path(key).isTextual()).as("%s in %s", key, line).isTrue();
      }
      lines.add(n);
    }
    assertThat(stderr).endsWith("\n");
    assertThat(lines).anyMatch(n -> n.path("logger").asText().equals("sluice.run"));
    assertThat(lines)
        .anyMatch(
            n ->
                n.path("message")
                    .asText()
                    .matches("draining \\d+ open connections \\(cut after 30s\\)"))
        .anyMatch(n -> n.path("message").asText().equals("SIGTERM received: draining"));

    List<JsonNode> connections =
        lines.stream().filter(n -> n.path("logger").asText().equals("sluice.connection")).toList();
    assertThat(connections).hasSize(2);
    JsonNode api =
        connections.stream()
            .filter(n -> n.path("listener").asText().equals("api"))
            .findFirst()
            .orElseThrow();
    assertThat(api.path("tenant").asText()).isEqualTo("acme");
    assertThat(api.path("decision").asText()).isEqualTo("allow");
    assertThat(api.path("bytes_out").isIntegralNumber()).isTrue();
    assertThat(api.path("bytes_out").asLong()).isEqualTo(api.path("charged").asLong()).isPositive();
    assertThat(api.path("message").asText()).startsWith("listener=api zone=inference tenant=acme");
    JsonNode out =
        connections.stream()
            .filter(n -> n.path("listener").asText().equals("out"))
            .findFirst()
            .orElseThrow();
    assertThat(out.path("destination").asText()).isEqualTo(host + ":80");
    assertThat(out.path("reason").asText()).isEqualTo("destination_not_lower_case");
    assertThat(out.path("decision").asText()).isEqualTo("deny");
  }
}
