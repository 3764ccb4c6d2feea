package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestTargetTest {

  private static RequestTarget ok(boolean connect, String uri) {
    RequestTarget.Parsed p = RequestTarget.parse(connect, uri);
    assertThat(p.problem()).as(uri).isNull();
    return p.target();
  }

  private static String bad(boolean connect, String uri) {
    RequestTarget.Parsed p = RequestTarget.parse(connect, uri);
    assertThat(p.target()).as(uri).isNull();
    return p.problem();
  }

  @Test
  void connectTakesHostAndPort() {
    assertThat(ok(true, "api.corp.example:443"))
        .isEqualTo(new RequestTarget(true, "api.corp.example", 443, ""));
    assertThat(ok(true, "[::1]:443").host()).isEqualTo("[::1]");
    assertThat(ok(true, "::1:443").host()).isEqualTo("::1");
    assertThat(bad(true, "api.corp.example")).isEqualTo("CONNECT needs a port (host:port)");
    assertThat(bad(true, "api.corp.example:0")).isEqualTo("invalid port 0");
    assertThat(bad(true, "api.corp.example:65536")).isEqualTo("invalid port 65536");
    assertThat(bad(true, "api.corp.example:+443")).isEqualTo("invalid port +443");
    assertThat(bad(true, "http://api.corp.example:443")).isEqualTo("CONNECT takes host:port");
    assertThat(bad(true, "u@api.corp.example:443")).isEqualTo("CONNECT takes host:port");
    assertThat(bad(true, ":443")).isEqualTo("no host in the request target");
    assertThat(bad(true, "[::1:443")).isEqualTo("unclosed [ in the host");
    assertThat(bad(true, "[::1]x:443")).isEqualTo("unexpected text after ]");
  }

  @Test
  void absoluteFormBecomesOriginForm() {
    RequestTarget t = ok(false, "http://api.corp.example/v1/models?limit=2#frag");
    assertThat(t).isEqualTo(new RequestTarget(false, "api.corp.example", 80, "/v1/models?limit=2"));
    assertThat(t.hostHeader()).isEqualTo("api.corp.example");
    assertThat(t.authority()).isEqualTo("api.corp.example:80");
    RequestTarget p = ok(false, "HTTP://api.corp.example:8080");
    assertThat(p.pathAndQuery()).isEqualTo("/");
    assertThat(p.hostHeader()).isEqualTo("api.corp.example:8080");
    assertThat(ok(false, "http://a.example?q").pathAndQuery()).isEqualTo("/?q");
    assertThat(ok(false, "http://a.example#x").pathAndQuery()).isEqualTo("/");
  }

  @Test
  void otherFormsAreRefused() {
    assertThat(bad(false, "/v1/models")).startsWith("a forward proxy takes CONNECT host:port or");
    assertThat(bad(false, "*")).startsWith("a forward proxy takes");
    assertThat(bad(false, "https://api.corp.example/"))
        .isEqualTo("use CONNECT for https:// destinations");
    assertThat(bad(false, "http://user:pw@api.corp.example/"))
        .isEqualTo("credentials in the request target are not allowed");
    assertThat(bad(false, "http:///x")).isEqualTo("no host in the request target");
    assertThat(bad(false, "http://a.example:/x")).isEqualTo("invalid port ");
    assertThat(bad(false, "/" + "x".repeat(200))).endsWith("...").hasSizeLessThan(200);
  }
}
