package dev.sluice.it;

import dev.sluice.cluster.ClusterFixture;
import dev.sluice.cluster.EtcdCluster;
import dev.sluice.cluster.EtcdKeys;
import dev.sluice.time.Clock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One site of several gateway nodes sharing a budget in a real etcd, for the {@code Cluster*}
 * tests: an {@link EtcdCluster} (Debian's {@code etcd-server} on loopback, one or three members,
 * from the {@code sluice-cluster} test-jar) and {@code sluice run} processes ({@link
 * SluiceProcess}), each with its own {@code node_id}, work directory and data directory, all on the
 * same key prefix.
 *
 * <p>{@link #close()} kills every node that still runs (by its pid) and then every etcd member, so
 * a failing test leaves nothing behind.
 */
final class GatewaySite implements AutoCloseable {

  private final Path dir;
  private final EtcdCluster etcd;
  private final String prefix;
  private final String grantTtl;
  private final String timeout;
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private Client client;

  /** A gateway node of the site: its configuration and, while it runs, its process. */
  static final class Node {
    final String id;
    final Path workDir;
    final Path dataDir;
    final Path config;
    final List<URI> endpoints;
    volatile SluiceProcess process;

    Node(String id, Path workDir, Path dataDir, Path config, List<URI> endpoints) {
      this.id = id;
      this.workDir = workDir;
      this.dataDir = dataDir;
      this.config = config;
      this.endpoints = endpoints;
    }

    /** The store name the node's 503s carry: {@code etcd:} + endpoints + prefix. */
    String storeName(String prefix) {
      List<String> eps = new ArrayList<>();
      for (URI u : endpoints) {
        eps.add(u.toString());
      }
      return "etcd:" + String.join(",", eps) + prefix;
    }
  }

  private GatewaySite(Path dir, EtcdCluster etcd, String grantTtl, String timeout) {
    this.dir = dir;
    this.etcd = etcd;
    this.grantTtl = grantTtl;
    this.timeout = timeout;
    this.prefix = "/sluice/it-" + Long.toHexString(Clock.system().nanos() & 0xffffffL);
  }

  /**
   * Starts an etcd of {@code members} members under {@code dir/etcd}; nodes added later use {@code
   * grantTtl} and the etcd operation {@code timeout} (durations as in the configuration).
   */
  static GatewaySite start(Path dir, int members, String grantTtl, String timeout)
      throws IOException {
    EtcdCluster etcd = EtcdCluster.start(dir.resolve("etcd"), members);
    return new GatewaySite(dir, etcd, grantTtl, timeout);
  }

  EtcdCluster etcd() {
    return etcd;
  }

  String prefix() {
    return prefix;
  }

  /**
   * Adds node {@code id} talking to every etcd member; {@code site} adds its tenants and listeners.
   * Writes its configuration; does not start it.
   */
  Node add(String id, UnaryOperator<TestConfig> site) throws IOException {
    return add(id, etcd.clientUrls(), site);
  }

  /** As {@link #add(String, UnaryOperator)}, with the etcd endpoints the node is given. */
  Node add(String id, List<URI> endpoints, UnaryOperator<TestConfig> site) throws IOException {
    Path work = Files.createDirectories(dir.resolve(id));
    Path data = work.resolve("data");
    TestConfig c = site.apply(TestConfig.in(data)).etcd(id, endpoints, prefix, grantTtl, timeout);
    Node n = new Node(id, work, data, c.write(work.resolve("sluice.yaml")), List.copyOf(endpoints));
    nodes.put(id, n);
    return n;
  }

  /**
   * Writes node {@code id}'s configuration again with what {@code site} adds (same node id, etcd,
   * work and data directories), e.g. before a reload; the running process is left alone.
   */
  Path rewrite(String id, UnaryOperator<TestConfig> site) throws IOException {
    Node n = node(id);
    return site.apply(TestConfig.in(n.dataDir))
        .etcd(id, n.endpoints, prefix, grantTtl, timeout)
        .write(n.config);
  }

  Node node(String id) {
    Node n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no node " + id + " in " + nodes.keySet());
    }
    return n;
  }

  /** The running process of node {@code id}. */
  SluiceProcess process(String id) {
    SluiceProcess p = node(id).process;
    if (p == null) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    return p;
  }

  /** Starts node {@code id} and waits until it is ready. */
  SluiceProcess start(String id) throws IOException, InterruptedException {
    Node n = node(id);
    n.process = startProcess(n);
    return n.process;
  }

  /**
   * Starts a node's process. A node that cannot open the etcd store within {@code store.timeout}
   * exits at once (fails loudly, as a supervisor would see it); on a loaded machine a short timeout
   * can be missed at start while etcd is healthy, so such a start is tried up to {@value
   * #START_ATTEMPTS} times. Any other failure, or the same one every time, fails the test.
   */
  private static SluiceProcess startProcess(Node n) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return SluiceProcess.start(n.config, n.workDir);
      } catch (IllegalStateException e) {
        String m = String.valueOf(e.getMessage());
        if (attempt >= START_ATTEMPTS || !m.contains("cannot open the etcd budget store")) {
          throw e;
        }
      }
    }
  }

  private static final int START_ATTEMPTS = 3;

  /** Starts every node added and not running, at the same time, and waits until all are ready. */
  void startAll() throws Exception {
    List<Node> todo = new ArrayList<>();
    for (Node n : nodes.values()) {
      if (n.process == null || !n.process.isAlive()) {
        todo.add(n);
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, todo.size()));
    try {
      List<Future<SluiceProcess>> started = new ArrayList<>();
      for (Node n : todo) {
        started.add(pool.submit(() -> n.process = startProcess(n)));
      }
      for (Future<SluiceProcess> f : started) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A plain etcd client on every member (created once, closed with the site). */
  synchronized Client client() {
    if (client == null) {
      client = ClusterFixture.client(etcd.clientUrls());
    }
    return client;
  }

  /**
   * The etcd counter of budget node {@code budgetNode}'s day (today in the test zone), read
   * directly from etcd as an operator would: {@code {prefix}/v1/counters/{node}/day/{start}}.
   */
  long dayCounter(String budgetNode) throws Exception {
    return ClusterFixture.counter(client(), dayKey("counters", budgetNode));
  }

  /** The etcd sent counter of {@code budgetNode}'s day: bytes reported sent by ended sets. */
  long daySent(String budgetNode) throws Exception {
    return ClusterFixture.counter(client(), dayKey("sent", budgetNode));
  }

  /** How many escrow sets of any gateway node are open in etcd ({@code {prefix}/v1/sets/}). */
  long openSets() throws Exception {
    return ClusterFixture.count(client(), new EtcdKeys(prefix).sets());
  }

  /**
   * Waits until no gateway node holds an escrow set in etcd (every set settled or stranded), up to
   * {@code timeout}; whether that happened.
   */
  boolean awaitNoOpenSets(java.time.Duration timeout) {
    return EtcdCluster.poll(
        timeout,
        () -> {
          try {
            return openSets() == 0;
          } catch (Exception e) {
            return false;
          }
        });
  }

  private String dayKey(String kind, String budgetNode) {
    long start =
        new WindowCalendar(TestConfig.ZONE).periodStart(Window.DAY, Clock.system().millis());
    EtcdKeys keys = new EtcdKeys(prefix);
    return kind.equals("sent")
        ? keys.sent(budgetNode, Window.DAY, start)
        : keys.counter(budgetNode, Window.DAY, start);
  }

  /** Kills every running node by its pid, then every etcd member. */
  @Override
  public void close() {
    try {
      for (Node n : nodes.values()) {
        SluiceProcess p = n.process;
        if (p != null) {
          p.close();
        }
      }
      if (client != null) {
        client.close();
      }
    } finally {
      etcd.close();
    }
  }
}
