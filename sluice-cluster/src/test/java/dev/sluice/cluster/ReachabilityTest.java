package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.Clock;
import dev.sluice.time.ManualClock;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReachabilityTest {

  @Test
  void onlyFailuresToReachEtcdCount() {
    assertThat(Reachability.unreachability(new TimeoutException())).isTrue();
    assertThat(Reachability.unreachability(new CompletionException(new TimeoutException())))
        .isTrue();
    assertThat(Reachability.unreachability(Status.UNAVAILABLE.asRuntimeException())).isTrue();
    assertThat(Reachability.unreachability(Status.DEADLINE_EXCEEDED.asException())).isTrue();
    assertThat(Reachability.unreachability(new RuntimeException(new ConnectException("refused"))))
        .isTrue();
    assertThat(
            Reachability.unreachability(
                EtcdExceptionFactory.newEtcdException(ErrorCode.UNAVAILABLE, "no leader")))
        .isTrue();

    assertThat(Reachability.unreachability(new IllegalStateException("bad value"))).isFalse();
    assertThat(Reachability.unreachability(Status.PERMISSION_DENIED.asRuntimeException()))
        .isFalse();
    assertThat(
            Reachability.unreachability(
                EtcdExceptionFactory.newEtcdException(ErrorCode.INVALID_ARGUMENT, "too many ops")))
        .isFalse();
  }

  @Test
  void unreachableUntilAProbeIsAnsweredAtMostOneProbePerPeriod() throws Exception {
    ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      Reachability r = new Reachability("etcd:test", clock, scheduler, Duration.ofMillis(200));
      BlockingQueue<CompletableFuture<Object>> probes = new LinkedBlockingQueue<>();
      BlockingQueue<Long> startedAt = new LinkedBlockingQueue<>();
      Clock wall = Clock.system();
      r.probeWith(
          () -> {
            CompletableFuture<Object> f = new CompletableFuture<>();
            startedAt.add(wall.nanos());
            probes.add(f);
            return f;
          });
      assertThat(r.reachable()).isTrue();

      r.failed(new IllegalStateException("an answer, just not a good one"));
      assertThat(r.reachable()).isTrue();
      assertThat(probes).isEmpty();

      r.failed(new CompletionException(new TimeoutException()));
      assertThat(r.reachable()).isFalse();
      assertThat(r.describe())
          .isEqualTo(
              "etcd unreachable since 2026-11-22T12:00:00Z (no answer within the operation"
                  + " timeout)");
      clock.advance(Duration.ofSeconds(5));
      r.failed(new TimeoutException()); // still the same outage, still the same start
      assertThat(r.describe()).contains("since 2026-11-22T12:00:00Z");

      // The first probe starts at once; it fails (as the store's calls report it).
      CompletableFuture<Object> first = probes.poll(5, TimeUnit.SECONDS);
      assertThat(first).isNotNull();
      r.failed(new TimeoutException());
      first.completeExceptionally(new TimeoutException());
      // The next one comes only after the period; it is answered.
      CompletableFuture<Object> second = probes.poll(5, TimeUnit.SECONDS);
      assertThat(second).isNotNull();
      long apart = -startedAt.take() + startedAt.take();
      assertThat(apart).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
      assertThat(r.reachable()).isFalse();
      r.answered();
      second.complete("ok");
      assertThat(r.reachable()).isTrue();
      assertThat(r.describe()).isEqualTo("etcd reachable");
      // The next outage is probed again.
      r.failed(new TimeoutException());
      assertThat(r.reachable()).isFalse();
      CompletableFuture<Object> third = probes.poll(5, TimeUnit.SECONDS);
      assertThat(third).isNotNull();
      r.answered();
      third.complete("ok");
      assertThat(r.reachable()).isTrue();
    } finally {
      scheduler.shutdownNow();
    }
  }
}
