package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.ManualClock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lookup cache: in flight, positive and negative TTLs from completion, LRU size bound. */
class LookupCacheTest {

  final ManualClock clock = ManualClock.at("2026-01-01T00:00:00Z");
  final List<InetAddress> loopback = List.of(InetAddress.getLoopbackAddress());

  @Test
  void aLookupInFlightIsSharedAndItsTtlStartsWhenItCompletes() {
    LookupCache cache = new LookupCache(clock, 10, 30_000, 10_000);
    CompletableFuture<List<InetAddress>> f = new CompletableFuture<>();
    cache.put("a.example", f);
    clock.advance(Duration.ofHours(1)); // in flight: never expires
    assertThat(cache.get("a.example")).isSameAs(f);
    f.complete(loopback);
    clock.advance(Duration.ofSeconds(29));
    assertThat(cache.get("a.example")).isSameAs(f);
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get("a.example")).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void aFailedLookupIsKeptForTheNegativeTtl() {
    LookupCache cache = new LookupCache(clock, 10, 30_000, 10_000);
    cache.put("gone.example", CompletableFuture.failedFuture(new UnknownHostException("gone")));
    clock.advance(Duration.ofMillis(9_999));
    assertThat(cache.get("gone.example")).isNotNull();
    clock.advance(Duration.ofMillis(1));
    assertThat(cache.get("gone.example")).isNull();
  }

  @Test
  void aZeroTtlKeepsNothingOnceCompleted() {
    LookupCache cache = new LookupCache(clock, 10, 0, 0);
    cache.put("a.example", CompletableFuture.completedFuture(loopback));
    assertThat(cache.get("a.example")).isNull();
  }

  @Test
  void theLeastRecentlyUsedNameIsEvicted() {
    LookupCache cache = new LookupCache(clock, 2, 30_000, 10_000);
    cache.put("a.example", CompletableFuture.completedFuture(loopback));
    cache.put("b.example", CompletableFuture.completedFuture(loopback));
    assertThat(cache.get("a.example")).isNotNull(); // a is now the most recent
    cache.put("c.example", CompletableFuture.completedFuture(loopback));
    assertThat(cache.get("b.example")).isNull();
    assertThat(cache.get("a.example")).isNotNull();
    assertThat(cache.get("c.example")).isNotNull();
  }

  @Test
  void aLookupRefusedBeforeItWasSentIsNotKept() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    Lookups lookups =
        new Lookups(
            host -> {
              try {
                hold.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return loopback;
            },
            "t");
    LookupCache cache = new LookupCache(clock, 1000, 30_000, 10_000);
    // Fill the threads and the queue; the next lookup is refused before it is sent.
    for (int i = 0; i < Lookups.THREADS + Lookups.QUEUE; i++) {
      lookups.lookup("n" + i + ".example");
    }
    CompletableFuture<List<InetAddress>> refused = lookups.lookup("late.example");
    assertThat(refused).isCompletedExceptionally();
    cache.put("late.example", refused);
    assertThat(cache.get("late.example")).isNull();
    hold.countDown();
  }
}
