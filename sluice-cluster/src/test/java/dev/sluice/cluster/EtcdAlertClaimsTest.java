package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Fleet alert claims in a real etcd: the first node owns an alert, the others see who does. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdAlertClaimsTest {

  private static final String KEY = "threshold|tenant:inference/acme|day|2026-12-06T22:00:00Z|50";
  private static final long NOW = 1_765_000_000_000L;

  @TempDir Path dir;
  EtcdCluster etcd;
  Client client;
  final EtcdKeys keys = new EtcdKeys("/sluice/claims-test");

  @BeforeEach
  void start() throws Exception {
    etcd = EtcdCluster.start(dir.resolve("etcd"), 1);
    client = ClusterFixture.client(etcd.clientUrls());
  }

  @AfterEach
  void stop() {
    client.close();
    etcd.close();
  }

  private EtcdAlertClaims node(String id) {
    return new EtcdAlertClaims(client, keys, id, Duration.ofSeconds(5));
  }

  private KeyValue stored(String alertKey) throws Exception {
    List<KeyValue> kvs =
        client
            .getKVClient()
            .get(EtcdIo.bytes(keys.alertClaim(alertKey)))
            .get(5, TimeUnit.SECONDS)
            .getKvs();
    assertThat(kvs).hasSize(1);
    return kvs.get(0);
  }

  @Test
  void theFirstNodeOwnsTheAlertAndTheOthersSeeWhoDoes() throws Exception {
    long periodEnd = NOW + 3_600_000;
    assertThat(node("a").claim(KEY, periodEnd, NOW).get(5, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(node("b").claim(KEY, periodEnd, NOW + 5).get(5, TimeUnit.SECONDS)).isEqualTo("a");
    // a restarted before recording its alert: the claim is still its own.
    assertThat(node("a").claim(KEY, periodEnd, NOW + 9).get(5, TimeUnit.SECONDS)).isEqualTo("a");
    // Another threshold is another alert.
    assertThat(node("b").claim(KEY.replace("|50", "|80"), periodEnd, NOW).get(5, TimeUnit.SECONDS))
        .isEqualTo("b");

    KeyValue kv = stored(KEY);
    assertThat(kv.getValue().toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"node\":\"a\",\"alert\":\"" + KEY + "\",\"at\":" + NOW + "}");
    // The claim goes by itself an hour after its period: a lease of that TTL.
    long granted =
        client
            .getLeaseClient()
            .timeToLive(kv.getLease(), LeaseOption.DEFAULT)
            .get(5, TimeUnit.SECONDS)
            .getGrantedTTL();
    assertThat(granted).isEqualTo(3_600 + EtcdAlertClaims.RETAIN.toSeconds());
  }

  @Test
  void aClaimThatNeverEndsHasNoLease() throws Exception {
    assertThat(node("a").claim(KEY, Long.MAX_VALUE, NOW).get(5, TimeUnit.SECONDS)).isEqualTo("a");
    assertThat(stored(KEY).getLease()).isZero();
  }

  @Test
  void ttlIsRoundedUpToSecondsAndSafeFromOverflow() {
    long retain = EtcdAlertClaims.RETAIN.toSeconds();
    assertThat(EtcdAlertClaims.ttlSeconds(NOW + 1_001, NOW)).isEqualTo(2 + retain);
    assertThat(EtcdAlertClaims.ttlSeconds(NOW + 1_000, NOW)).isEqualTo(1 + retain);
    assertThat(EtcdAlertClaims.ttlSeconds(NOW - 5_000, NOW)).isEqualTo(1 + retain);
    assertThat(EtcdAlertClaims.ttlSeconds(Long.MAX_VALUE, NOW)).isZero();
    assertThat(EtcdAlertClaims.ttlSeconds(Long.MAX_VALUE - 1, Long.MIN_VALUE)).isZero();
  }

  @Test
  void claimKeysAreNotMalformedBudgetKeys() {
    String k = keys.alertClaim(KEY);
    assertThat(k)
        .isEqualTo(
            "/sluice/claims-test/v1/alerts/threshold%7Ctenant:inference%2Facme%7Cday%7C"
                + "2026-12-06T22:00:00Z%7C50");
    EtcdListing l = EtcdListing.of("/sluice/claims-test", Map.of(k, new byte[] {'{', '}'}), 3);
    assertThat(l.malformed()).isEmpty();
  }
}
