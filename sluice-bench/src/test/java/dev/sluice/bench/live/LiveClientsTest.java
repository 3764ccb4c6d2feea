package dev.sluice.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.live.PairedLoad.Paired;
import dev.sluice.bench.upstream.FamilyUpstream;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.Tokenizer;
import dev.sluice.demo.Pacer;
import dev.sluice.time.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LiveClientsTest {
  private static final String ANSWER =
      "Rivers carry silt. They \"meander\" <slowly> to the sea 😀.";

  private final ManualClock clock = ManualClock.at("2026-11-23T04:00:00Z");
  private FamilyUpstream upstream;

  @AfterEach
  void stop() {
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void eachFamilysRequestReachesItsFamilyAndOneConnectionCarriesAnswerAfterAnswer()
      throws Exception {
    upstream =
        FamilyUpstream.start(
            "127.0.0.1",
            0,
            new FamilyUpstream.Options(
                List.of(ANSWER), clock, Pacer::immediate, Tokenizer.o200k()));
    try (KeepAliveClient c =
        new KeepAliveClient(upstream.address(), clock, Duration.ofSeconds(10))) {
      for (Family f : Family.values()) {
        for (int k = 0; k < 2; k++) {
          Exchange x = c.exchange(LiveRequest.of(f, "acme", "prompt " + k));
          assertThat(x.status()).as(f.id()).isEqualTo(200);
          assertThat(x.complete()).isTrue();
          Sends s = Sends.fetch(upstream.baseUrl(), Long.parseLong(x.header("X-Sluice-Stream")));
          assertThat(s.family()).isEqualTo(f.id());
          assertThat(CaseStats.sha256(x.body())).isEqualTo(s.bodySha256());
          assertThat(s.textBytes()).isEqualTo(ANSWER.getBytes(StandardCharsets.UTF_8).length);
          assertThat(s.sendEpochNanos()).hasSameSizeAs(s.sizes());
          int total = 0;
          for (int size : s.sizes()) {
            total += size;
          }
          assertThat(x.body()).hasSize(total);
          assertThat(x.arrivalOf(total)).isNotNegative();
          assertThat(x.arrivalOf(total + 1)).isEqualTo(-1);
        }
      }
    }
  }

  @Test
  void theAddedLatencyOfAnEventIsItsDelayThroughTheEdgeLessItsDelayDirect() {
    Timebase base = new Timebase(1_000_000_000L, 0);
    byte[] body = "ab".getBytes(StandardCharsets.US_ASCII);
    String sha = CaseStats.sha256(body);
    // two events of one byte each, sent at epoch 1.000 s and 1.020 s on both paths
    Sends sends =
        new Sends(1, "x", new long[] {1_000_000_000L, 1_020_000_000L}, new int[] {1, 1}, sha, 2);
    // direct: the bytes arrive 1 ms after each send; through the edge: 5 ms and 30 ms after
    Exchange direct =
        new Exchange(
            -1_000_000,
            500_000,
            "HTTP/1.1 200 OK",
            body,
            true,
            60,
            new long[] {1_000_000, 21_000_000},
            new int[] {1, 2});
    Exchange edge =
        new Exchange(
            -1_000_000,
            3_500_000,
            "HTTP/1.1 200 OK",
            body,
            true,
            40,
            new long[] {5_000_000, 50_000_000},
            new int[] {1, 2});
    CaseStats s = CaseStats.of(List.of(new Paired(0, 0, edge, sends, direct, sends)), base);
    assertThat(s.exact()).isEqualTo(1);
    assertThat(s.textBytes()).isEqualTo(2);
    assertThat(s.directWireBytes()).isEqualTo(60);
    assertThat(s.directPerEvent()).containsExactly(1.0, 1.0);
    assertThat(s.edgePerEvent()).containsExactly(5.0, 30.0);
    assertThat(s.addedPerEvent()).containsExactly(4.0, 29.0);
    assertThat(s.addedFirstByte()).containsExactly(3.0);
    Percentiles p = new Percentiles(s.addedPerEvent());
    assertThat(p.at(50)).isEqualTo(4.0);
    assertThat(p.at(99)).isEqualTo(29.0);
    Exchange damaged =
        new Exchange(
            0,
            1,
            "HTTP/1.1 200 OK",
            "aX".getBytes(StandardCharsets.US_ASCII),
            true,
            40,
            new long[] {1},
            new int[] {2});
    assertThat(CaseStats.of(List.of(new Paired(0, 0, damaged, sends, direct, sends)), base).exact())
        .as("a body that is not the upstream's is not counted")
        .isZero();
  }

  @Test
  void percentilesAreNearestRank() {
    double[] xs = new double[100];
    for (int i = 0; i < 100; i++) {
      xs[i] = 100 - i;
    }
    assertThat(new Percentiles(xs).at(50)).isEqualTo(50.0);
    assertThat(new Percentiles(xs).at(99)).isEqualTo(99.0);
    assertThat(new Percentiles(new double[0]).at(50)).isNaN();
  }

  @Test
  void theClientsTimebaseIsTheUpstreamsWay() {
    Timebase t = Timebase.of(clock);
    clock.advance(Duration.ofMillis(3));
    assertThat(t.epochNanos(clock.nanos())).isEqualTo(clock.millis() * 1_000_000L);
  }
}
