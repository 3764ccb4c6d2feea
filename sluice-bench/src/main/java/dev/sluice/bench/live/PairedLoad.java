package dev.sluice.bench.live;

import dev.sluice.codec.sample.Family;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps {@code pairs} streams of one family running through an edge and as many through a direct
 * listener, in pairs: pair {@code p} has a keep-alive connection to each, and sends its {@code k}th
 * request (the same bytes, so the same answer) on both at the same moment, once both answers to the
 * previous one are complete, until the plan's duration is up or its count is reached. The pairs
 * start spread over the plan's ramp (pair {@code p} at {@code p * ramp / pairs}), as the streams of
 * a busy service do, rather than all in one millisecond. Each pair runs on two threads of its own.
 * Then every response's sends are fetched from the upstream. Bounded: at most {@code maxRequests}
 * per pair, none started after the duration, and every read times out.
 */
public final class PairedLoad {

  /** Where the requests go: the edge, the direct listener, and the upstream (for its send log). */
  public record Targets(InetSocketAddress edge, InetSocketAddress direct, String upstreamUrl) {
    public Targets {
      Objects.requireNonNull(edge, "edge");
      Objects.requireNonNull(direct, "direct");
      Objects.requireNonNull(upstreamUrl, "upstreamUrl");
    }
  }

  /**
   * What to run.
   *
   * @param pairs streams at once on each path, 1 or more
   * @param duration no request starts later than this after the start
   * @param ramp the pairs' first requests are spread over this much time (zero: all at once)
   * @param maxRequests requests per pair at most, 1 or more
   * @param seed varies the prompts, so runs with other seeds get other answers
   */
  public record Plan(
      Family family,
      int pairs,
      Duration duration,
      Duration ramp,
      int maxRequests,
      String edgeTenant,
      String directTenant,
      long seed) {
    public Plan {
      Objects.requireNonNull(family, "family");
      if (pairs < 1 || maxRequests < 1) {
        throw new IllegalArgumentException(
            "pairs and maxRequests must be 1 or more, got " + pairs + " and " + maxRequests);
      }
    }

    byte[] request(String tenant, int pair, int seq) {
      return LiveRequest.of(
          family, tenant, "live " + family.id() + " " + seed + " " + pair + " " + seq);
    }
  }

  /** One request's two answers, each with the upstream's record of what it sent. */
  public record Paired(
      int pair, int seq, Exchange edge, Sends edgeSends, Exchange direct, Sends directSends) {}

  /** The outcome: the pairs' exchanges, and the failures (a connection error, a timeout). */
  public record Outcome(List<Paired> exchanges, List<String> failures) {}

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private PairedLoad() {}

  public static Outcome run(Targets targets, Plan plan, Clock clock) throws InterruptedException {
    long deadline = clock.nanos() + plan.duration().toNanos();
    List<PairRun> runs = new ArrayList<>();
    long start = clock.nanos();
    for (int p = 0; p < plan.pairs(); p++) {
      long first = start + plan.ramp().toNanos() * p / plan.pairs();
      runs.add(new PairRun(p, targets, plan, clock, first, deadline));
    }
    runs.forEach(PairRun::start);
    List<Paired> out = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (PairRun r : runs) {
      r.join();
      failures.addAll(r.failures);
      for (int k = 0; k < r.edge.size() && k < r.direct.size(); k++) {
        try {
          out.add(
              new Paired(
                  r.pair,
                  k,
                  r.edge.get(k),
                  sends(targets, r.edge.get(k)),
                  r.direct.get(k),
                  sends(targets, r.direct.get(k))));
        } catch (IOException e) {
          failures.add("pair " + r.pair + " request " + k + ": " + e.getMessage());
        }
      }
    }
    return new Outcome(out, failures);
  }

  private static Sends sends(Targets t, Exchange e) throws IOException, InterruptedException {
    String id = e.header("x-sluice-stream");
    if (id == null) {
      throw new IOException("no X-Sluice-Stream in the response: " + e);
    }
    return Sends.fetch(t.upstreamUrl(), Long.parseLong(id));
  }

  /**
   * One pair: two threads, one per path, meeting at a barrier before each request. A side that
   * fails says so and still comes to the barrier, where both stop.
   */
  private static final class PairRun {
    final int pair;
    final List<Exchange> edge = new ArrayList<>();
    final List<Exchange> direct = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    private final Thread edgeThread;
    private final Thread directThread;
    private final CyclicBarrier barrier;
    private volatile boolean failed;
    private volatile boolean go;
    private int seq = -1;
    private final long first;

    PairRun(int pair, Targets t, Plan plan, Clock clock, long first, long deadline) {
      this.pair = pair;
      this.first = first;
      this.barrier =
          new CyclicBarrier(
              2,
              () -> {
                seq++;
                go = !failed && seq < plan.maxRequests() && clock.nanos() - deadline < 0;
              });
      edgeThread = side("edge", t.edge(), plan.edgeTenant(), plan, clock, edge);
      directThread = side("direct", t.direct(), plan.directTenant(), plan, clock, direct);
    }

    private Thread side(
        String name,
        InetSocketAddress to,
        String tenant,
        Plan plan,
        Clock clock,
        List<Exchange> into) {
      Thread th =
          new Thread(() -> loop(name, to, tenant, plan, clock, into), "live-" + name + "-" + pair);
      th.setDaemon(true);
      return th;
    }

    private void loop(
        String name,
        InetSocketAddress to,
        String tenant,
        Plan plan,
        Clock clock,
        List<Exchange> into) {
      KeepAliveClient c = null;
      try {
        c = new KeepAliveClient(to, clock, READ_TIMEOUT);
      } catch (IOException e) {
        fail(name + ": cannot connect to " + to + ": " + e);
      }
      for (long wait = first - clock.nanos(); wait > 0; wait = first - clock.nanos()) {
        LockSupport.parkNanos(wait);
      }
      try {
        for (; ; ) {
          barrier.await(2 * READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          if (!go) {
            return;
          }
          try {
            Exchange x = c.exchange(plan.request(tenant, pair, seq));
            into.add(x);
            if (!x.complete() || x.status() != 200) {
              fail(name + " request " + seq + " incomplete or refused: " + x);
            }
          } catch (IOException e) {
            fail(name + " request " + seq + ": " + e);
          }
        }
      } catch (TimeoutException | BrokenBarrierException e) {
        fail(name + ": the other side did not come back: " + e);
        barrier.reset();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (c != null) {
          try {
            c.close();
          } catch (IOException ignored) {
            // closing anyway
          }
        }
      }
    }

    private synchronized void fail(String why) {
      failed = true;
      failures.add("pair " + pair + " " + why);
    }

    void start() {
      edgeThread.start();
      directThread.start();
    }

    void join() throws InterruptedException {
      edgeThread.join();
      directThread.join();
    }
  }
}
