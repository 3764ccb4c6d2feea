package dev.sluice.it;

import dev.sluice.cluster.EtcdCluster;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One client per gateway node sending whole (not streamed) requests for a tenant one after the
 * other, 50 ms apart, for as long as the test runs, and keeping every exchange with when it was
 * sent and when it ended ({@link Clock#nanos}): what a node answered before, during and after an
 * outage. {@link #close()} stops the clients and waits for the requests in flight.
 */
final class Probes implements AutoCloseable {
  private static final Clock CLOCK = Clock.system();
  private static final long PACE_MILLIS = 50;

  /** One exchange with node {@code node}. */
  record Sample(String node, long sentNanos, long doneNanos, int index, RawHttp.Response response) {
    int status() {
      return response.status();
    }
  }

  /** A whole {@code 200}. */
  static boolean isOk(Sample s) {
    return s.status() == 200 && s.response().complete();
  }

  private final Map<String, InetSocketAddress> targets;
  private final String tenant;
  private final int answers;
  private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
  private final ScheduledExecutorService clients;

  private Probes(Map<String, InetSocketAddress> targets, String tenant, int answers) {
    this.targets = Map.copyOf(targets);
    this.tenant = tenant;
    this.answers = answers;
    this.clients =
        Executors.newScheduledThreadPool(
            targets.size(),
            r -> {
              Thread t = new Thread(r, "probe");
              t.setDaemon(true);
              return t;
            });
    for (String node : targets.keySet()) {
      samples.put(node, new ArrayList<>());
    }
  }

  /** Starts one client per node of {@code targets} (node id to listener address). */
  static Probes start(Map<String, InetSocketAddress> targets, String tenant, int answers) {
    Probes p = new Probes(targets, tenant, answers);
    for (String node : targets.keySet()) {
      int[] next = {node.hashCode() & 0xff};
      p.clients.scheduleWithFixedDelay(
          () -> p.probe(node, next[0]++ % answers), 0, PACE_MILLIS, TimeUnit.MILLISECONDS);
    }
    return p;
  }

  private void probe(String node, int index) {
    long sent = CLOCK.nanos();
    RawHttp.Response r = Racers.chat(targets.get(node), tenant, index, false);
    Sample s = new Sample(node, sent, CLOCK.nanos(), index, r);
    synchronized (samples) {
      samples.get(node).add(s);
    }
  }

  /** Every exchange with {@code node} so far, in the order they were sent. */
  List<Sample> samples(String node) {
    synchronized (samples) {
      return List.copyOf(samples.get(node));
    }
  }

  /** Every exchange with every node so far. */
  List<Sample> all() {
    List<Sample> out = new ArrayList<>();
    synchronized (samples) {
      samples.values().forEach(out::addAll);
    }
    return out;
  }

  /**
   * Waits up to {@code timeout} for an exchange with {@code node}, sent at or after {@code
   * sentAfterNanos}, that matches {@code condition}; the first such, if any.
   */
  Optional<Sample> await(
      String node, long sentAfterNanos, Duration timeout, Predicate<Sample> condition) {
    Sample[] found = new Sample[1];
    EtcdCluster.poll(
        timeout,
        () -> {
          for (Sample s : samples(node)) {
            if (s.sentNanos() - sentAfterNanos >= 0 && condition.test(s)) {
              found[0] = s;
              return true;
            }
          }
          return false;
        });
    return Optional.ofNullable(found[0]);
  }

  /**
   * Waits up to {@code timeout} until {@code n} exchanges in a row with {@code node}, sent at or
   * after {@code sentAfterNanos}, match {@code condition}; whether they did.
   */
  boolean awaitInARow(
      String node, long sentAfterNanos, int n, Duration timeout, Predicate<Sample> condition) {
    return EtcdCluster.poll(
        timeout,
        () -> {
          int run = 0;
          for (Sample s : samples(node)) {
            if (s.sentNanos() - sentAfterNanos < 0) {
              continue;
            }
            run = condition.test(s) ? run + 1 : 0;
            if (run >= n) {
              return true;
            }
          }
          return false;
        });
  }

  /** Stops the clients and waits (up to 60 s) for the requests in flight to end. */
  @Override
  public void close() {
    clients.shutdown();
    try {
      if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
        clients.shutdownNow();
      }
    } catch (InterruptedException e) {
      clients.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Per node, how many answers of each status came back so far. */
  String summary() {
    Map<String, Map<Integer, Integer>> out = new LinkedHashMap<>();
    synchronized (samples) {
      samples.forEach(
          (node, list) -> {
            Map<Integer, Integer> m = new java.util.TreeMap<>();
            list.forEach(s -> m.merge(s.status(), 1, Integer::sum));
            out.put(node, m);
          });
    }
    return "statuses by node " + out;
  }
}
