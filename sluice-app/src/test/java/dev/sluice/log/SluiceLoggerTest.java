package dev.sluice.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.gateway.evidence.LogFields;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's SLF4J backend: it is the provider SLF4J finds, writes slf4j-simple's text line by
 * default, and in JSON mode takes a {@link LogFields} argument's pairs and the fluent API's as
 * fields.
 */
class SluiceLoggerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream saved;

  @BeforeEach
  void capture() {
    saved = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(saved);
    LogSink.format(LogFormat.TEXT);
  }

  private String out() {
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void slf4jFindsThisProvider() {
    assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(SluiceLoggerFactory.class);
  }

  @Test
  void textIsSlf4jSimplesLineAndIgnoresFields() {
    Logger log = LoggerFactory.getLogger("sluice.connection");
    log.info("{}", LogFields.of("tenant", "a b", "bytes_out", 5120L));
    log.atWarn().addKeyValue("k", "v").log("hello {}", "you");
    log.debug("not written");
    String t = Thread.currentThread().getName();
    assertThat(out())
        .isEqualTo(
            "["
                + t
                + "] INFO sluice.connection - tenant=\"a b\" bytes_out=5120"
                + System.lineSeparator()
                + "["
                + t
                + "] WARN sluice.connection - hello you"
                + System.lineSeparator());
  }

  @Test
  void jsonTakesTheFieldsOfLogFieldsAndOfTheFluentApi() throws Exception {
    Logging.use(LogFormat.JSON);
    Logger log = LoggerFactory.getLogger("sluice.connection");
    log.info("{}", LogFields.of("destination", "evil\u001b[2J\u0000.x:80", "bytes_out", 5120L));
    log.atInfo().addKeyValue("listener.api", "127.0.0.1:1").log("up");
    log.error("failed: {}", "x", new IllegalStateException("line1\nline2"));
    String[] lines = out().split("\n");
    assertThat(lines).hasSize(3);
    JsonNode conn = JSON.readTree(lines[0]);
    assertThat(conn.path("message").asText())
        .isEqualTo("destination=\"evil\\u001b[2J\\u0000.x:80\" bytes_out=5120");
    assertThat(conn.path("destination").asText()).isEqualTo("evil\u001b[2J\u0000.x:80");
    assertThat(conn.path("bytes_out").isIntegralNumber()).isTrue();
    assertThat(JSON.readTree(lines[1]).path("listener.api").asText()).isEqualTo("127.0.0.1:1");
    JsonNode err = JSON.readTree(lines[2]);
    assertThat(err.path("level").asText()).isEqualTo("ERROR");
    assertThat(err.path("message").asText()).isEqualTo("failed: x");
    assertThat(err.path("stack_trace").asText())
        .startsWith("java.lang.IllegalStateException: line1\nline2\n\tat ");
  }

  @Test
  void jsonModeBridgesJavaUtilLogging() throws Exception {
    Logging.use(LogFormat.JSON);
    java.util.logging.Logger.getLogger("io.grpc.Test").warning("grpc \"said\"\nthis");
    java.util.logging.Logger.getLogger("io.grpc.Test").fine("dropped");
    String[] lines = out().split("\n");
    assertThat(lines).hasSize(1);
    JsonNode n = JSON.readTree(lines[0]);
    assertThat(n.path("logger").asText()).isEqualTo("io.grpc.Test");
    assertThat(n.path("level").asText()).isEqualTo("WARN");
    assertThat(n.path("message").asText()).isEqualTo("grpc \"said\"\nthis");
  }
}
