package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.EntryType;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests a destination could read differently than the proxy does (smuggling), and forms a proxy
 * does not take: 400, closed, nothing forwarded, and the listener keeps serving.
 */
@ExtendWith(NoLeaks.class)
class MalformedRequestTest {

  @TempDir Path dir;
  TestOrigin origin;
  ForwardFixture proxy;

  @BeforeEach
  void up() throws Exception {
    origin = TestOrigin.http();
    proxy =
        new ForwardFixture(
            dir,
            new ForwardFixture.Yaml(),
            Map.of("api.corp.example", List.of(InetAddress.getLoopbackAddress())));
  }

  @AfterEach
  void down() {
    proxy.close();
    origin.close();
  }

  private String url(String path) {
    return "http://api.corp.example:" + origin.port() + path;
  }

  @Test
  void malformedRequestsAre400AndNothingIsForwarded() throws Exception {
    String u = url("/x");
    List<String> requests =
        List.of(
            "POST "
                + u
                + " HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST "
                + u
                + " HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"
                + "hello",
            "POST " + u + " HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello",
            "POST "
                + u
                + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
                + "0\r\n\r\n",
            "POST " + u + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nhello",
            "POST "
                + u
                + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST "
                + u
                + " HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                + "Connection: content-length\r\n\r\nhello",
            "GET " + u + " HTTP/1.1\nHost: a\n\n",
            "GET " + u + " HTTP/1.1\r\nHost: a\nX: y\r\n\r\n",
            "GET " + u + " HTTP/1.1\r\nHost : a\r\n\r\n",
            "GET " + u + " HTTP/1.1\r\n\r\n",
            "GET " + u + " HTTP/2.0\r\nHost: a\r\n\r\n",
            "GET /x HTTP/1.1\r\nHost: api.corp.example\r\n\r\n",
            "GET https://api.corp.example/x HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET ftp://api.corp.example/x HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET http://user:pw@api.corp.example/x HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET http://api.corp.example:0/x HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET http://api.corp.example:99999/x HTTP/1.1\r\nHost: a\r\n\r\n",
            "CONNECT api.corp.example HTTP/1.1\r\nHost: a\r\n\r\n",
            "CONNECT api.corp.example:"
                + origin.port()
                + " HTTP/1.1\r\nHost: a\r\n"
                + "Content-Length: 5\r\n\r\nhello",
            "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
    for (String r : requests) {
      assertThat(RawClient.exchange(proxy.port(), r))
          .as(r)
          .startsWith("HTTP/1.1 400 Bad Request\r\n")
          .contains("connection: close", "\"type\":\"bad_request\"");
    }
    assertThat(origin.connections()).isZero();
    assertThat(origin.received()).isZero();

    // The listener still serves.
    assertThat(
            RawClient.exchange(
                proxy.port(),
                "GET " + u + " HTTP/1.1\r\nHost: api.corp.example\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 200 OK");
    assertThat(proxy.closeAndRead(EntryType.DENY))
        .hasSize(requests.size())
        .allSatisfy(e -> assertThat(e.getString("reason")).isEqualTo("bad_request"));
  }

  @Test
  void aSmugglingAttemptAfterAGoodRequestOnTheSameConnectionIsNotForwarded() throws Exception {
    String u = url("/x");
    String response =
        RawClient.exchange(
            proxy.port(),
            "GET "
                + u
                + " HTTP/1.1\r\nHost: api.corp.example\r\n\r\n"
                + "POST "
                + u
                + " HTTP/1.1\r\nHost: api.corp.example\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200 OK").contains("HTTP/1.1 400 Bad Request");
    assertThat(origin.requests()).containsExactly("GET /x host=api.corp.example:" + origin.port());
  }
}
