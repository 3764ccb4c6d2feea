package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cluster.EtcdCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grant benchmark against a real one-member etcd, briefly: it grants, counts, cleans up. */
class EtcdGrantBenchTest {

  @TempDir Path dir;

  @Test
  void everyScenarioGrantsAndLeavesNoKeysBehind() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.start(dir.resolve("etcd"), 1)) {
      List<URI> endpoints = etcd.clientUrls();
      for (String name : List.of("txn", "one", "many", "contended")) {
        EtcdGrantBench.Scenario s = EtcdGrantBench.scenario(name, 3, 2);
        EtcdGrantBench.Result r =
            EtcdGrantBench.run(s, endpoints, "/bench-test/" + name, dir.resolve(name), 0.2, 0.8);
        assertThat(r.grants()).as(name).isPositive();
        assertThat(r.sortedLatencyNanos()).as(name).hasSize((int) r.grants());
        assertThat(r.pctMillis(50)).as(name).isPositive().isLessThanOrEqualTo(r.pctMillis(99));
        assertThat(r.denied()).as(name).isZero();
      }
      try (Client c = Client.builder().endpoints(endpoints.toArray(new URI[0])).build()) {
        long left =
            c.getKVClient()
                .get(
                    ByteSequence.from("/bench-test/", StandardCharsets.UTF_8),
                    GetOption.builder().isPrefix(true).withCountOnly(true).build())
                .get(10, TimeUnit.SECONDS)
                .getCount();
        assertThat(left).isZero();
      }
    }
  }

  @Test
  void scenariosHaveTheirShapes() {
    assertThat(EtcdGrantBench.scenario("txn", 16, 3))
        .isEqualTo(new EtcdGrantBench.Scenario("txn", 1, 1, false));
    assertThat(EtcdGrantBench.scenario("one", 16, 3))
        .isEqualTo(new EtcdGrantBench.Scenario("one", 1, 1, false));
    assertThat(EtcdGrantBench.scenario("many", 16, 3))
        .isEqualTo(new EtcdGrantBench.Scenario("many", 1, 16, false));
    assertThat(EtcdGrantBench.scenario("contended", 16, 3))
        .isEqualTo(new EtcdGrantBench.Scenario("contended", 3, 1, true));
    assertThatThrownBy(() -> EtcdGrantBench.scenario("other", 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
