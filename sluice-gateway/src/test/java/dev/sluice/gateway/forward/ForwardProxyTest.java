package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The forward listener carrying real traffic: absolute-form requests and CONNECT tunnels. */
@ExtendWith(NoLeaks.class)
class ForwardProxyTest {

  @TempDir Path dir;
  ForwardFixture proxy;
  TestOrigin origin;

  private static final Map<String, List<InetAddress>> NAMES =
      Map.of(
          "api.corp.example", List.of(ForwardFixture.loopback()),
          "api.partner.example", List.of(ForwardFixture.loopback()),
          "elsewhere.example", List.of(ForwardFixture.loopback()));

  @AfterEach
  void down() {
    if (proxy != null) {
      proxy.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  private HttpClient client(javax.net.ssl.SSLContext tls) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port())));
    if (tls != null) {
      b.sslContext(tls);
    }
    return b.build();
  }

  @Test
  void absoluteFormGetAndPostAreForwardedInOriginFormAndCharged() throws Exception {
    origin = TestOrigin.http();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml(), NAMES);
    HttpClient http = client(null);
    String base = "http://api.corp.example:" + origin.port();

    HttpResponse<String> get =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/models?x=1"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body())
        .startsWith("GET /models?x=1 host=api.corp.example:" + origin.port() + " auth=null len=0");

    String payload = "{\"prompt\":\"" + "a".repeat(5000) + "\"}";
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/upload"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(payload))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(post.body())
        .contains("POST /v1/upload", "len=" + payload.length())
        .endsWith(payload);

    // Every byte the destination received, and nothing else, was charged to the whole path.
    long received = origin.received();
    assertThat(received).isGreaterThan(payload.length());
    assertThat(proxy.sent("dest:employee/*.corp.example")).isEqualTo(received);
    assertThat(proxy.sent("tenant:employee/default")).isEqualTo(received);
    assertThat(proxy.sent("zone:employee")).isEqualTo(received);
    assertThat(proxy.sent("site")).isEqualTo(received);
    assertThat(origin.connections()).isEqualTo(1); // keep-alive on both sides
  }

  @Test
  void chunkedUploadsAndPipelinedRequestsAreForwardedInOrder() throws Exception {
    origin = TestOrigin.http();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml(), NAMES);
    String u = "http://api.partner.example:" + origin.port();
    try (RawClient c = new RawClient(proxy.port())) {
      c.send(
          "POST "
              + u
              + "/a HTTP/1.1\r\nHost: api.partner.example\r\nTransfer-Encoding: chunked\r\n"
              + "Proxy-Connection: keep-alive\r\n\r\n"
              + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
              + "GET "
              + u
              + "/b HTTP/1.1\r\nHost: api.partner.example\r\n\r\n");
      assertThat(RawClient.readResponse(c.in()))
          .startsWith("HTTP/1.1 200 OK")
          .contains("POST /a host=api.partner.example:" + origin.port() + " auth=null len=11")
          .endsWith("hello world");
      assertThat(RawClient.readResponse(c.in())).contains("GET /b ");
    }
    assertThat(origin.requests()).hasSize(2);
    assertThat(origin.connections()).isEqualTo(1);
    assertThat(proxy.sent("tenant:employee/default")).isEqualTo(origin.received());
  }

  @Test
  void connectTunnelsTlsAndChargesItsRecords() throws Exception {
    TestCertificates certs = TestCertificates.selfSigned(dir, "api.corp.example");
    origin = TestOrigin.https(SslContextBuilder.forServer(certs.keyManagers).build());
    proxy = new ForwardFixture(dir.resolve("data"), new ForwardFixture.Yaml(), NAMES);
    String authority = "api.corp.example:" + origin.port();
    try (RawClient c = new RawClient(proxy.port())) {
      c.send("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 ");
      try (SSLSocket tls = c.startTls(certs.clientContext, "api.corp.example", origin.port())) {
        String body = "x".repeat(3000);
        tls.getOutputStream()
            .write(
                ("POST /secure?q=1 HTTP/1.1\r\nHost: "
                        + authority
                        + "\r\nContent-Length: 3000\r\n\r\n"
                        + body)
                    .getBytes(StandardCharsets.ISO_8859_1));
        String response = RawClient.readResponse(tls.getInputStream());
        assertThat(response)
            .startsWith("HTTP/1.1 200 OK")
            .contains("POST /secure?q=1 host=" + authority + " auth=null len=3000");
      } // the client closes first: its close_notify goes through the tunnel too
    }
    assertThat(origin.awaitAllClosed()).isTrue();

    long received = origin.received(); // TLS records, the handshake included
    assertThat(received).isGreaterThan(3000);
    assertThat(proxy.sent("dest:employee/*.corp.example")).isEqualTo(received);
    assertThat(proxy.sent("tenant:employee/default")).isEqualTo(received);

    List<LedgerEntry> connections = proxy.closeAndRead(EntryType.CONNECTION);
    assertThat(connections).hasSize(1);
    LedgerEntry e = connections.get(0);
    assertThat(e.getString("destination")).isEqualTo(authority);
    assertThat(e.getString("tenant")).isEqualTo("default");
    assertThat(e.getLong("charged")).isEqualTo(received);
    assertThat(e.getString("decision")).isEqualTo("allow");
  }

  @Test
  void aTlsClientTunnelsThroughTheProxyByItself() throws Exception {
    TestCertificates certs = TestCertificates.selfSigned(dir, "api.corp.example");
    origin = TestOrigin.https(SslContextBuilder.forServer(certs.keyManagers).build());
    proxy = new ForwardFixture(dir.resolve("data"), new ForwardFixture.Yaml(), NAMES);
    HttpResponse<String> r =
        client(certs.clientContext)
            .send(
                HttpRequest.newBuilder(
                        URI.create("https://api.corp.example:" + origin.port() + "/v1/models"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("GET /v1/models host=api.corp.example:" + origin.port());
    assertThat(proxy.sent("dest:employee/*.corp.example")).isPositive();
  }

  @Test
  void bytesSentAheadOfTheConnectAnswerGoThroughTheTunnel() throws Exception {
    origin = TestOrigin.echo();
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml(), NAMES);
    try (RawClient c = new RawClient(proxy.port())) {
      c.send(
          "CONNECT api.partner.example:"
              + origin.port()
              + " HTTP/1.1\r\nHost: api.partner.example:"
              + origin.port()
              + "\r\n\r\nhello, early");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 Connection established\r\n");
      assertThat(new String(c.readExactly(12), StandardCharsets.ISO_8859_1))
          .isEqualTo("hello, early");
      c.send("and more");
      assertThat(new String(c.readExactly(8), StandardCharsets.ISO_8859_1)).isEqualTo("and more");
    }
    assertThat(origin.awaitAllClosed()).isTrue();
    assertThat(origin.received()).isEqualTo(20);
    assertThat(proxy.sent("tenant:employee/default")).isEqualTo(20);
  }
}
