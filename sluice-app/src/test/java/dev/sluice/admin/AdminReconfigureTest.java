package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.config.SluiceConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload applied in place keeps the admin server running: a client's kept-alive connection,
 * opened before the reload, is answered after it from the new configuration (the regression test of
 * a request on such a connection left unanswered after the admin server was closed and bound
 * again).
 */
class AdminReconfigureTest {
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
  void aKeptAliveConnectionIsAnsweredFromTheNewConfiguration() throws Exception {
    InetSocketAddress at = f.server.address();
    String token = f.token();
    SluiceConfig next =
        AdminFixture.load(
            AdminFixture.quickstartYaml(dataDir)
                .replace(
                    "acme:    { limits: [ { window: day, cap: 200MB }",
                    "acme:    { limits: [ { window: day, cap: 150MB }"));
    assertThat(next.sha256Hex()).isNotEqualTo(f.config.sha256Hex());
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(15_000); // bounds the test: an unanswered request fails, not hangs
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      assertThat(config(out, in).path("sha256").asText()).isEqualTo(f.config.sha256Hex());

      f.server.reconfigure(
          new AdminContext(
              next,
              BudgetTrees.of(next.budgets()),
              f.store,
              f.escrow,
              f.store.ledger(),
              f.halts,
              f.stats,
              f.store.stranded(),
              f.clock,
              f.listenersBound::get));

      assertThat(config(out, in).path("sha256").asText())
          .as("answered on the same connection, from the new configuration")
          .isEqualTo(next.sha256Hex());
      assertThat(f.server.address()).isEqualTo(at);
      assertThat(f.token()).as("the token stays").isEqualTo(token);
    }
  }

  /** {@code GET /api/config} on the open connection; its JSON body. */
  private static JsonNode config(OutputStream out, InputStream in) throws IOException {
    out.write(
        "GET /api/config HTTP/1.1\r\nHost: sluice\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed after " + head.size() + " bytes: " + head);
      }
      head.write(c);
    }
    String h = head.toString(StandardCharsets.US_ASCII);
    assertThat(h).startsWith("HTTP/1.1 200");
    int length = -1;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    assertThat(length).as("content-length in %s", h).isPositive();
    return JSON.readTree(in.readNBytes(length));
  }
}
