package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.ledger.EntryType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A forward request that names its destination or its identity twice (two Host headers, two
 * Proxy-Authorization headers, a Host that disagrees with the request target) is refused with a 400
 * and its own reason before anything is resolved or forwarded: the destination would otherwise see
 * a Host that was not the one checked and charged. The client pipeline of a forward listener runs
 * in an {@code EmbeddedChannel}; the zone allows no destination, so a request that passes these
 * checks is refused later with 403 {@code destination_not_allowed}.
 */
@ExtendWith(NoLeaks.class)
class IdentityHeadersTest {

  @TempDir Path dir;

  private final List<String> lookups = new CopyOnWriteArrayList<>();

  /** Sends {@code request} on a new client connection and returns what the client got. */
  private String exchange(ListenerFixture f, String request) {
    EmbeddedChannel ch = ForwardChannels.client(f, lookups);
    ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
    ch.runPendingTasks();
    StringBuilder s = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      s.append(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    ch.finishAndReleaseAll();
    return s.toString();
  }

  private void assertRefused(String request, String label) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "forward", "enforce")) {
      String out = exchange(f, request);
      assertThat(out)
          .containsPattern("\\AHTTP/1\\.[01] 400 ")
          .contains("\"type\":\"" + label + "\"");
      assertThat(lookups).as("names resolved for a refused request").isEmpty();
      assertThat(f.closeAndRead(EntryType.DENY))
          .singleElement()
          .satisfies(e -> assertThat(e.getString("reason")).isEqualTo(label));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1.1", "HTTP/1.0"})
  void twoHostHeadersAreRefused(String version) throws Exception {
    assertRefused(
        "GET http://api.corp.example/x "
            + version
            + "\r\nHost: api.corp.example\r\nHost: billing.corp.example\r\n\r\n",
        "duplicate_identity_header");
  }

  @Test
  void twoProxyAuthorizationHeadersAreRefused() throws Exception {
    assertRefused(
        "GET http://api.corp.example/x HTTP/1.1\r\nHost: api.corp.example\r\n"
            + "Proxy-Authorization: Basic YTpi\r\nProxy-Authorization: Basic Yzpk\r\n\r\n",
        "duplicate_identity_header");
  }

  @Test
  void aHostOtherThanTheAbsoluteTargetIsRefused() throws Exception {
    assertRefused(
        "GET http://api.corp.example/x HTTP/1.1\r\nHost: billing.corp.example\r\n\r\n",
        "host_mismatch");
  }

  @Test
  void aHostWithAnotherPortThanTheTargetIsRefused() throws Exception {
    assertRefused(
        "GET http://api.corp.example:8080/x HTTP/1.1\r\nHost: api.corp.example:9090\r\n\r\n",
        "host_mismatch");
  }

  @Test
  void aConnectWhoseHostNamesAnotherHostIsRefused() throws Exception {
    assertRefused(
        "CONNECT api.corp.example:443 HTTP/1.1\r\nHost: billing.corp.example:443\r\n\r\n",
        "host_mismatch");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET http://api.corp.example/x HTTP/1.1\r\nHost: api.corp.example\r\n\r\n",
        "GET http://api.corp.example/x HTTP/1.1\r\nHost: API.corp.example:80\r\n\r\n",
        "GET http://api.corp.example:8080/x HTTP/1.1\r\nHost: api.corp.example\r\n\r\n",
        "GET http://api.corp.example/x HTTP/1.0\r\n\r\n",
        "CONNECT api.corp.example:443 HTTP/1.1\r\nHost: api.corp.example:443\r\n\r\n",
        "CONNECT api.corp.example:443 HTTP/1.1\r\nHost: api.corp.example\r\n\r\n",
      })
  void aHostThatAgreesWithTheTargetPassesOnToTheDestinationPolicy(String request) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "forward", "enforce")) {
      assertThat(exchange(f, request))
          .containsPattern("\\AHTTP/1\\.[01] 403 ")
          .contains("\"type\":\"destination_not_allowed\"");
    }
  }
}
