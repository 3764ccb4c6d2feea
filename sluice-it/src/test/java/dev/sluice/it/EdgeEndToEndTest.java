package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.demo.DemoOptions;
import dev.sluice.gateway.edge.EdgeLink;
import dev.sluice.gateway.edge.LinkSettings;
import dev.sluice.gateway.edge.MuxAccept;
import dev.sluice.gateway.edge.MuxFrameEncoder;
import dev.sluice.gateway.forward.TestCertificates;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway and edge as real processes: {@code sluice run} with {@code peer: edge} reverse listeners
 * ({@code edge}; {@code edge-tls} with TLS on the link; {@code edge-bad} for corruption) in front
 * of a {@link ReplayUpstream}, a direct reverse listener ({@code direct}) on the same upstream for
 * comparison, and a {@code peer: edge} forward listener ({@code out}); {@code sluice edge} in front
 * of each edge listener, with a {@link CountingRelay} between edge and gateway that counts every
 * byte of the link. Each edge keeps one long-lived multiplexed link (version 2) that carries every
 * client connection as a stream. Clients get exactly what the upstream sent, and the bytes charged
 * on a listener (tenants' shares of the frames plus the link's own bytes, paid from the control
 * allowance) are exactly the bytes the gateway wrote on its link.
 */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EdgeEndToEndTest {
  private static final String TENANT = "acme";
  private static final String TENANT_NODE = "tenant:inference/acme";

  /** What the gateway writes first on a link: the magic and ACCEPT with its default settings. */
  private static final long HANDSHAKE =
      MuxFrameEncoder.handshakeSize(
          MuxAccept.of(
              EdgeLink.CODEC_STREAM,
              new byte[32],
              true,
              LinkSettings.DEFAULT_UP_WINDOW,
              (int) LinkSettings.DEFAULT_PING.toMillis()));

  @TempDir static Path dir;
  private static ReplayUpstream upstream;
  private static SluiceProcess sluice;
  private static AdminApi admin;
  private static CountingRelay link;
  private static EdgeProcess edge;
  private static CountingRelay forwardLink;
  private static EdgeProcess forwardEdge;
  private static CountingRelay tlsLink;
  private static EdgeProcess tlsEdge;

  @BeforeAll
  static void start() throws Exception {
    upstream = ReplayUpstream.start(sample(), DemoOptions.defaults());
    TestCertificates certs = TestCertificates.selfSigned(dir, "localhost");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    certs.writePem(cert, key);
    String yaml =
        """
        site: it
        model: { name: it-model, weight_bytes: 10GB }
        time_zone: "%s"
        data_dir: "%s"
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              tenants:
                acme: { limits: [ { window: day, cap: 100MB } ] }
                fwd: {}
                cmp: {}
                bad: {}
                many: {}
                tight: { limits: [ { window: day, cap: 3KB } ] }
                sec: {}
              unknown_destinations: allow
        listeners:
          - { name: edge, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant, peer: edge }
          - { name: edge-tls, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant, peer: edge, tls: { cert: "%s", key: "%s" } }
          - { name: edge-bad, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant, peer: edge }
          - { name: direct, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant }
          - name: out
            mode: forward
            bind: "127.0.0.1:0"
            zone: inference
            peer: edge
            deny_ranges: []
            tenants_by_source: { "127.0.0.0/8": fwd }
        admin: { bind: "127.0.0.1:0" }
        escrow: { min_chunk: 1KiB, max_chunk: 16KiB }
        """
            .formatted(
                TestConfig.ZONE.getId(),
                dir.resolve("data"),
                upstream.rootUrl(),
                upstream.rootUrl(),
                cert,
                key,
                upstream.rootUrl(),
                upstream.rootUrl());
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, yaml, StandardCharsets.UTF_8);
    sluice = SluiceProcess.start(config, dir);
    admin = new AdminApi(sluice);
    link = CountingRelay.start(sluice.listener("edge"));
    edge = EdgeProcess.start(link.address(), dir, "edge");
    forwardLink = CountingRelay.start(sluice.listener("out"));
    forwardEdge = EdgeProcess.start(forwardLink.address(), dir, "forward-edge");
    tlsLink = CountingRelay.start(sluice.listener("edge-tls"));
    tlsEdge =
        EdgeProcess.start(
            tlsLink.address(),
            dir,
            "tls-edge",
            "--tls",
            "--tls-ca",
            cert.toString(),
            "--tls-server-name",
            "localhost");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c :
        new AutoCloseable[] {edge, forwardEdge, tlsEdge, link, forwardLink, tlsLink, sluice}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing everything regardless.
        }
      }
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static List<Answer> sample() {
    List<Answer> out = new ArrayList<>();
    for (String file : List.of(CorpusAnswers.ARENA_HARD, CorpusAnswers.ALPACA_EVAL)) {
      out.addAll(CorpusAnswers.load(file, Split.TEST).subList(0, 3));
    }
    return out;
  }

  private static ChatCompletionCreateParams params(int index) {
    return ChatCompletionCreateParams.builder()
        .model("gpt-4o")
        .addUserMessage(upstream.answers().get(index).prompt())
        .putAdditionalBodyProperty(ReplayUpstream.ANSWER_INDEX, JsonValue.from(index))
        .build();
  }

  @Test
  void theSdkGetsEveryAnswerExactlyThroughTheEdgeAndTheTenantPaysTheLinkBytes() throws Exception {
    OpenAIClient client =
        OpenAIOkHttpClient.builder()
            .baseUrl(edge.url() + "/v1")
            .apiKey("sk-test")
            .putHeader("X-Tenant", TENANT)
            .maxRetries(0)
            .timeout(Duration.ofSeconds(30))
            .responseValidation(true)
            .build();
    try {
      for (int i = 0; i < upstream.answers().size(); i++) {
        String expected = upstream.answers().get(i).text();
        ChatCompletion c = client.chat().completions().create(params(i));
        assertThat(c.choices().get(0).message().content()).hasValue(expected);
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream =
            client.chat().completions().createStreaming(params(i))) {
          stream.stream()
              .forEach(
                  ch -> ch.choices().forEach(x -> x.delta().content().ifPresent(text::append)));
        }
        assertThat(text.toString()).isEqualTo(expected);
      }
    } finally {
      client.close(); // closes the SDK's pooled connections, so every link sends its END
    }
    assertChargesMatchTheLink(link, "edge");
  }

  @Test
  void rawResponsesThroughTheEdgeAreTheBytesOfADirectConnection() throws Exception {
    for (int i = 0; i < upstream.answers().size(); i++) {
      for (boolean stream : new boolean[] {false, true}) {
        RawHttp.Response viaEdge =
            RawHttp.exchange(
                edge.address(), RawHttp.chat(TENANT, i, stream), Duration.ofSeconds(30));
        byte[] other = RawHttp.chat("cmp", i, stream); // charged to another tenant
        RawHttp.Response direct =
            RawHttp.exchange(sluice.listener("direct"), other, Duration.ofSeconds(30));
        RawHttp.Response origin =
            RawHttp.exchange(upstream.address(), other, Duration.ofSeconds(30));
        assertThat(viaEdge.complete()).as("complete via edge: %s", viaEdge).isTrue();
        assertThat(viaEdge.status()).isEqualTo(200);
        // The upstream makes a fresh id (and creation second) per response; all else is equal,
        // except where a stream's chunks were cut, which follows the gateway's reads.
        if (stream) {
          assertThat(viaEdge.headers()).isEqualTo(direct.headers());
          assertThat(normal(viaEdge.body())).isEqualTo(normal(direct.body()));
        } else {
          assertThat(normal(viaEdge.raw())).isEqualTo(normal(direct.raw()));
        }
        assertThat(normal(viaEdge.body())).isEqualTo(normal(origin.body()));
        assertThat(RawHttp.answerText(viaEdge)).isEqualTo(upstream.answers().get(i).text());
      }
    }
    assertChargesMatchTheLink(link, "edge");
  }

  @Test
  void aForwardListenerWithAnEdgeCarriesProxyRequests() throws Exception {
    byte[] body = RawHttp.chat(TENANT, 0, true);
    String target = upstream.rootUrl().replace("127.0.0.1", "localhost");
    // A proxy request's Host names its target (another host is refused: host_mismatch).
    String viaProxy =
        new String(body, StandardCharsets.ISO_8859_1)
            .replace("POST /v1/chat/completions", "POST " + target + "/v1/chat/completions")
            .replace("Host: gateway\r\n", "Host: " + target.substring("http://".length()) + "\r\n");
    byte[] request = viaProxy.getBytes(StandardCharsets.ISO_8859_1);
    RawHttp.Response viaEdge =
        RawHttp.exchange(forwardEdge.address(), request, Duration.ofSeconds(30));
    assertThat(viaEdge.complete()).as("complete via forward edge: %s", viaEdge).isTrue();
    assertThat(viaEdge.status()).as("via forward edge: %s", viaEdge).isEqualTo(200);
    assertThat(RawHttp.answerText(viaEdge)).isEqualTo(upstream.answers().get(0).text());
    RawHttp.Response origin =
        RawHttp.exchange(upstream.address(), RawHttp.chat(TENANT, 0, true), Duration.ofSeconds(30));
    assertThat(normal(viaEdge.body())).isEqualTo(normal(origin.body()));
    assertThat(forwardLink.bytesFromTarget()).isPositive();
  }

  @Test
  void aFlippedByteOnTheLinkAbortsTheClientAndTheEdgeNamesTheOffset() throws Exception {
    // a payload byte of the first FRAME (a header of 1 or 2 bytes, then the codec payload: the
    // response head, compressed, which is longer than 6 bytes; then the CRC, on plain TCP)
    long flipAt = HANDSHAKE + 8;
    try (CountingRelay bad = CountingRelay.flipping(sluice.listener("edge-bad"), flipAt);
        EdgeProcess badEdge = EdgeProcess.start(bad.address(), dir, "bad-edge")) {
      RawHttp.Response r =
          RawHttp.exchange(badEdge.address(), RawHttp.chat("bad", 1, true), Duration.ofSeconds(30));
      assertThat(r.raw()).as("nothing of the corrupted frame reaches the client").isEmpty();
      assertThat(r.error()).as("the client's connection is reset, not closed").isNotNull();
      String log = awaitLog(badEdge, "aborted");
      assertThat(log).contains("link rejected", "CRC mismatch", "byte ");
    }
  }

  @Test
  void manyConcurrentClientsShareTheOneLinkAndEveryResponseIsExact() throws Exception {
    int clients = 24;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long linksBefore = link.connections();
    try {
      List<Future<RawHttp.Response>> rs = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        int index = i % upstream.answers().size();
        rs.add(
            pool.submit(
                () ->
                    RawHttp.exchange(
                        edge.address(),
                        RawHttp.chat("many", index, true),
                        Duration.ofSeconds(60))));
      }
      for (int i = 0; i < clients; i++) {
        RawHttp.Response r = rs.get(i).get();
        assertThat(r.complete()).as("client %d: %s", i, r).isTrue();
        assertThat(RawHttp.answerText(r))
            .isEqualTo(upstream.answers().get(i % upstream.answers().size()).text());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(link.connections()).as("no new link").isEqualTo(linksBefore);
    assertChargesMatchTheLink(link, "edge");
  }

  @Test
  void aBudgetSpentMidLinkReachesOnlyItsOwnClientsAsA429OrAReset() throws Exception {
    int clients = 12;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<RawHttp.Response>> rs = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        String tenant = i % 2 == 0 ? "tight" : "many";
        int index = i % upstream.answers().size();
        rs.add(
            pool.submit(
                () ->
                    RawHttp.exchange(
                        edge.address(),
                        RawHttp.chat(tenant, index, true),
                        Duration.ofSeconds(60))));
      }
      int refused = 0;
      for (int i = 0; i < clients; i++) {
        RawHttp.Response r = rs.get(i).get();
        String text = upstream.answers().get(i % upstream.answers().size()).text();
        if (i % 2 == 1) {
          assertThat(r.complete()).as("a stream of another tenant: %s", r).isTrue();
          assertThat(RawHttp.answerText(r)).isEqualTo(text);
        } else if (r.status() == 429) {
          refused++;
          assertThat(r.bodyText()).contains("egress_budget_exhausted");
        } else if (!r.complete()) {
          refused++;
          assertThat(r.error()).as("cut, so reset: %s", r).isNotNull();
        } else {
          assertThat(RawHttp.answerText(r)).isEqualTo(text);
        }
      }
      assertThat(refused).as("the tight tenant ran out").isPositive();
    } finally {
      pool.shutdownNow();
    }
    assertChargesMatchTheLink(link, "edge");
  }

  @Test
  void theLinkRunsOverTlsAndItsRecordsAreChargedExactly() throws Exception {
    OpenAIClient client =
        OpenAIOkHttpClient.builder()
            .baseUrl(tlsEdge.url() + "/v1")
            .apiKey("sk-test")
            .putHeader("X-Tenant", "sec")
            .maxRetries(0)
            .timeout(Duration.ofSeconds(30))
            .build();
    try {
      for (int i = 0; i < 3; i++) {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream =
            client.chat().completions().createStreaming(params(i))) {
          stream.stream()
              .forEach(
                  ch -> ch.choices().forEach(x -> x.delta().content().ifPresent(text::append)));
        }
        assertThat(text.toString()).isEqualTo(upstream.answers().get(i).text());
      }
    } finally {
      client.close();
    }
    assertChargesMatchTheLink(tlsLink, "edge-tls");
  }

  /**
   * Every byte the listener's link carried was charged, and nothing more: the listener's egress
   * (tenants' shares and the link's own bytes, each paid before it was written) equals what the
   * relay counted from the gateway; and for {@code acme} (only on {@code edge}) the budget's {@code
   * sent}, the edge wire bytes in {@code /metrics} and {@code /api/budgets} agree, and raw is
   * larger than wire (the codec compresses).
   */
  private static void assertChargesMatchTheLink(CountingRelay relay, String listener)
      throws Exception {
    Clock clock = Clock.system();
    long deadline = clock.nanos() + Duration.ofSeconds(20).toNanos();
    String series = "sluice_egress_bytes_total{listener=\"" + listener + "\"}";
    // The clients have closed their connections, but each stream's END goes out once the gateway
    // sees the close: wait until no stream is open and the relay has everything the gateway paid.
    long carried = relay.bytesFromTarget();
    String metrics = admin.metrics();
    while ((AdminApi.metric(metrics, "sluice_edge_streams_open") != 0
            || (long) AdminApi.metric(metrics, series) != carried)
        && clock.nanos() - deadline < 0) {
      Thread.onSpinWait();
      carried = relay.bytesFromTarget();
      metrics = admin.metrics();
    }
    assertThat(AdminApi.metric(metrics, "sluice_edge_streams_open")).isZero();
    assertThat((long) AdminApi.metric(metrics, series)).isEqualTo(carried);
    assertThat(AdminApi.metric(metrics, "sluice_edge_overcharged_bytes_total")).isZero();
    JsonNode budgets = admin.budgets();
    long sent = AdminApi.limit(budgets, TENANT_NODE, "day").path("sent").asLong();
    JsonNode edgeFigures = node(budgets, TENANT_NODE).path("edge");
    assertThat(edgeFigures.path("compressed").asLong()).isEqualTo(sent);
    String labels = "{tenant=\"" + TENANT + "\",zone=\"inference\"}";
    if (sent > 0) {
      assertThat(metric(metrics, "sluice_edge_wire_bytes_total", labels)).isEqualTo((double) sent);
      assertThat(metric(metrics, "sluice_edge_raw_bytes_total", labels))
          .isEqualTo(edgeFigures.path("raw").asDouble());
      assertThat(edgeFigures.path("raw").asLong())
          .as("raw bytes larger than wire bytes: the codec compresses")
          .isGreaterThan(edgeFigures.path("compressed").asLong());
    }
  }

  private static String awaitLog(EdgeProcess p, String needle) throws Exception {
    Clock clock = Clock.system();
    long deadline = clock.nanos() + Duration.ofSeconds(20).toNanos();
    String log = p.log();
    while (!log.contains(needle) && clock.nanos() - deadline < 0) {
      Thread.onSpinWait();
      log = p.log();
    }
    return log;
  }

  private static JsonNode node(JsonNode budgets, String id) {
    for (JsonNode n : budgets.path("nodes")) {
      if (n.path("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id + " in " + budgets);
  }

  private static double metric(String text, String name, String labels) {
    return AdminApi.metric(text, name + labels);
  }

  /** The bytes as text with the per-response id and creation time blanked. */
  private static String normal(byte[] raw) {
    return new String(raw, StandardCharsets.ISO_8859_1)
        .replaceAll("\"id\":\"chatcmpl-[A-Za-z0-9]+\"", "\"id\":\"ID\"")
        .replaceAll("\"created\":[0-9]+", "\"created\":0")
        .replaceAll("(?im)^date: [^\\r\\n]*\\r\\n", "");
  }
}
