package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtcdStoreOptionsTest {

  private static final List<URI> EP = List.of(URI.create("http://127.0.0.1:2379"));
  private static final Duration TTL = Duration.ofSeconds(30);

  @Test
  void validOptionsAndDefaults() {
    EtcdStoreOptions o = new EtcdStoreOptions(EP, "/sluice/berlin", "gw-1.a_b", TTL);
    assertThat(o.operationTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(EtcdBudgetStore.nameOf(o)).isEqualTo("etcd:http://127.0.0.1:2379/sluice/berlin");
    assertThat(new EtcdStoreOptions(List.of(URI.create("http://etcd:2379/")), "/s", "a", TTL))
        .isNotNull();
  }

  @Test
  void endpointsAreCheckedOneByOne() {
    assertThatThrownBy(() -> new EtcdStoreOptions(List.of(), "/s", "a", TTL))
        .hasMessage("endpoints: at least one etcd endpoint is required");
    assertThatThrownBy(
            () -> new EtcdStoreOptions(List.of(URI.create("https://e:2379")), "/s", "a", TTL))
        .hasMessage("endpoints: 'https://e:2379': only http:// endpoints are supported");
    assertThatThrownBy(() -> new EtcdStoreOptions(List.of(URI.create("http://e")), "/s", "a", TTL))
        .hasMessage("endpoints: 'http://e': need http://host:port");
    assertThatThrownBy(
            () -> new EtcdStoreOptions(List.of(URI.create("http://e:1/x")), "/s", "a", TTL))
        .hasMessageContaining("'http://e:1/x'")
        .hasMessageContaining("without user, path");
  }

  @Test
  void prefixMustBeAnAbsoluteKeyPathWithoutTrailingSlash() {
    for (String bad : List.of("", "/", "sluice", "/sluice/", "/a//b", "/a b")) {
      assertThatThrownBy(() -> new EtcdStoreOptions(EP, bad, "a", TTL))
          .hasMessageStartingWith("prefix: '" + bad + "'");
    }
  }

  @Test
  void nodeIdTtlAndTimeoutAreChecked() {
    for (String bad : List.of("", "Gw", "-a", "a/b", "a".repeat(65))) {
      assertThatThrownBy(() -> new EtcdStoreOptions(EP, "/s", bad, TTL))
          .hasMessageStartingWith("nodeId: '" + bad + "'");
    }
    assertThatThrownBy(() -> new EtcdStoreOptions(EP, "/s", "a", Duration.ofMillis(999)))
        .hasMessage("grantTtl: PT0.999S is shorter than 1s");
    assertThatThrownBy(() -> new EtcdStoreOptions(EP, "/s", "a", TTL, Duration.ofMillis(50)))
        .hasMessage("operationTimeout: PT0.05S is outside 100ms..1m");
    assertThatThrownBy(() -> new EtcdStoreOptions(EP, "/s", "a", TTL, Duration.ofMinutes(2)))
        .hasMessage("operationTimeout: PT2M is outside 100ms..1m");
  }
}
