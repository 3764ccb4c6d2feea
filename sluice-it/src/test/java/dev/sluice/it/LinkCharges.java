package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.Clock;
import java.time.Duration;

/**
 * The edge link's exact charging, checked as an operator would: every byte a {@link CountingRelay}
 * counted from the gateway on the link was charged on the listener ({@code
 * sluice_egress_bytes_total}: the tenants' shares of the frames and the link's own bytes), and
 * nothing more ({@code sluice_edge_overcharged_bytes_total} is 0). The last bytes of a stream (its
 * END) are charged and written as the client's connection closes, so this waits until the two
 * agree, up to 20 seconds, before asserting.
 */
final class LinkCharges {
  private static final Duration AGREE = Duration.ofSeconds(20);

  private LinkCharges() {}

  static void assertMatch(AdminApi admin, CountingRelay relay, String listener) throws Exception {
    Clock clock = Clock.system();
    long deadline = clock.nanos() + AGREE.toNanos();
    String series = "sluice_egress_bytes_total{listener=\"" + listener + "\"}";
    String metrics = admin.metrics();
    while ((long) AdminApi.metric(metrics, series) != relay.bytesFromTarget()
        && clock.nanos() - deadline < 0) {
      Thread.onSpinWait();
      metrics = admin.metrics();
    }
    assertThat((long) AdminApi.metric(metrics, series))
        .as("bytes charged on %s against the bytes its link carried", listener)
        .isEqualTo(relay.bytesFromTarget());
    assertThat(AdminApi.metric(metrics, "sluice_edge_overcharged_bytes_total")).isZero();
  }
}
