package dev.sluice.bench;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.cluster.EtcdBudgetStore;
import dev.sluice.cluster.EtcdStoreOptions;
import dev.sluice.cluster.EtcdStoreStats;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.Settlement;
import dev.sluice.time.Clock;
import dev.sluice.time.Window;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Grants per second and grant latency of {@link EtcdBudgetStore} against a running etcd (issue 6):
 * real stores, each with its own ledger in a temporary directory (every grant is an etcd
 * transaction and an fsynced ledger entry, as in {@code sluice run}), default escrow settings (64
 * KiB .. 4 MiB chunks, 30 s grant TTL, 2 s operation timeout).
 *
 * <p>An account is what a gateway node keeps per budget path: one grant in flight at a time, each
 * refilling the account's escrow set and reporting everything granted before as sent; the next
 * grant is asked for as soon as the previous one is answered (closed loop, no think time). The
 * budget tree is {@code sluice run}'s shape: a site day cap (on every path, so every grant of every
 * node writes the site's counter), one zone, tenants with day caps far above what a run grants.
 * Scenarios, each on its own key prefix:
 *
 * <ul>
 *   <li>{@code txn}: not a store: one etcd client sending one compare-and-swap transaction at a
 *       time (compare one key's mod revision, put it), the floor under a grant's transaction;
 *   <li>{@code one}: one node, one account: the latency of a grant with nothing else in flight;
 *   <li>{@code many}: one node, {@code --accounts} accounts on as many tenant paths granting
 *       concurrently; a store runs its etcd operations one after another, so latency includes the
 *       wait behind the node's other grants;
 *   <li>{@code contended}: {@code --nodes} stores (node ids {@code grant-bench-0..}), one account
 *       each, all on the same tenant path: every grant reads counters another node may change
 *       before it commits (the conflict-retry case).
 * </ul>
 *
 * <p>The ledgers go to {@code --dir} (kept), or to a temporary directory deleted at exit. Each
 * scenario runs {@code --warmup-s}, then counts the grants answered during {@code --seconds}; at
 * the end its sets are settled, the stores and ledgers closed, and its keys deleted from etcd. Per
 * scenario it prints tab-separated lines to stdout, {@code grants SCENARIO METRIC VALUE}, with
 * metrics {@code nodes}, {@code accounts}, {@code grants}, {@code grants_per_s}, {@code p50_ms},
 * {@code p90_ms}, {@code p99_ms}, {@code max_ms} (from asking to the answer, of granted requests),
 * {@code conflicts_retried} (transaction attempts that found a counter changed and were retried,
 * summed over the nodes), {@code conflicts_per_grant}, {@code denied} and {@code unavailable}; and
 * a summary line per scenario to stderr.
 *
 * <pre>
 * java -cp benchmarks.jar dev.sluice.bench.EtcdGrantBench [--accounts 16] [--nodes 3]
 *     [--warmup-s 5] [--seconds 15] [--scenarios txn,one,many,contended] [--prefix /sluice-bench/grants]
 *     [--dir DIR] http://127.0.0.1:PORT...
 * </pre>
 */
public final class EtcdGrantBench {

  /**
   * The machine's clock: read through {@link Clock}, as everywhere (the build bans direct reads).
   */
  private static final Clock CLOCK = Clock.system();

  /** What each grant asks for at least (the read that ran out of escrow). */
  static final long NEED = 64 * 1024;

  private static final long CAP = 1L << 50; // 1 PiB a day: never reached
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final ChunkPolicy POLICY = new ChunkPolicy(64 * 1024, 4 * 1024 * 1024);

  private EtcdGrantBench() {}

  /** A scenario: {@code nodes} stores with {@code accountsPerNode} accounts each. */
  record Scenario(String name, int nodes, int accountsPerNode, boolean samePath) {}

  /** The figures of one scenario. */
  record Result(
      Scenario scenario,
      long grants,
      double seconds,
      long[] sortedLatencyNanos,
      long conflicts,
      long denied,
      long unavailable,
      String lastUnavailable) {

    double grantsPerSecond() {
      return grants / seconds;
    }

    double pctMillis(double p) {
      return SseLoad.pct(sortedLatencyNanos, p) / 1e6;
    }
  }

  public static void main(String[] args) throws Exception {
    int accounts = 16;
    int nodes = 3;
    double warmupS = 5;
    double seconds = 15;
    String prefix = "/sluice-bench/grants";
    List<String> scenarios = List.of("txn", "one", "many", "contended");
    List<URI> endpoints = new ArrayList<>();
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--accounts" -> accounts = Integer.parseInt(args[++i]);
        case "--nodes" -> nodes = Integer.parseInt(args[++i]);
        case "--warmup-s" -> warmupS = Double.parseDouble(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--prefix" -> prefix = args[++i];
        case "--scenarios" -> scenarios = Arrays.asList(args[++i].split(","));
        case "--dir" -> dir = Path.of(args[++i]);
        default -> {
          if (args[i].startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + args[i]);
          }
          endpoints.add(URI.create(args[i]));
        }
      }
    }
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no etcd endpoints (http://127.0.0.1:PORT ...)");
    }
    List<Scenario> list = new ArrayList<>();
    for (String s : scenarios) {
      list.add(scenario(s, accounts, nodes));
    }
    boolean ownDir = dir == null;
    Path tmp = ownDir ? Files.createTempDirectory("sluice-grant-bench") : dir;
    if (ownDir) { // also when stopped by a signal
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(tmp)));
    }
    try {
      String stamp = Long.toString(CLOCK.millis());
      for (Scenario s : list) {
        Result r =
            run(
                s,
                endpoints,
                prefix + "/" + s.name() + "-" + stamp,
                tmp.resolve(s.name()),
                warmupS,
                seconds);
        report(r);
      }
    } finally {
      if (ownDir) {
        deleteQuietly(tmp);
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      if (Files.exists(dir)) {
        Cleanup.deleteRecursively(dir);
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }

  static Scenario scenario(String name, int accounts, int nodes) {
    return switch (name) {
      case "txn" -> new Scenario("txn", 1, 1, false);
      case "one" -> new Scenario("one", 1, 1, false);
      case "many" -> new Scenario("many", 1, accounts, false);
      case "contended" -> new Scenario("contended", nodes, 1, true);
      default ->
          throw new IllegalArgumentException(
              "unknown scenario " + name + " (txn, one, many, contended)");
    };
  }

  /** site (day cap); zone z; tenants t0 .. t{n-1}, each with a day cap. */
  static BudgetTree tree(int tenants) {
    BudgetTree.Builder b =
        BudgetTree.builder(List.of(new Limit(Window.DAY, CAP))).zone("z", List.of());
    for (int i = 0; i < tenants; i++) {
      b.tenant("z", "t" + i, List.of(new Limit(Window.DAY, CAP)));
    }
    return b.build();
  }

  static Result run(
      Scenario s, List<URI> endpoints, String prefix, Path dir, double warmupS, double seconds)
      throws Exception {
    if (s.name().equals("txn")) {
      return runTxn(s, endpoints, prefix, warmupS, seconds);
    }
    int tenants = s.samePath() ? 1 : s.accountsPerNode();
    BudgetTree tree = tree(tenants);
    Clock clock = Clock.system();
    List<Ledger> ledgers = new ArrayList<>();
    List<EtcdBudgetStore> stores = new ArrayList<>();
    List<Account> accounts = new ArrayList<>();
    Recorder rec = new Recorder();
    try {
      for (int n = 0; n < s.nodes(); n++) {
        Ledger ledger =
            Ledger.open(
                LedgerOptions.builder(dir.resolve("node-" + n), "sluice/grant-bench").build(),
                clock,
                null,
                e -> {});
        ledgers.add(ledger);
        EtcdStoreOptions o = new EtcdStoreOptions(endpoints, prefix, "grant-bench-" + n, TTL);
        EtcdBudgetStore store = EtcdBudgetStore.open(tree, UTC, o, POLICY, clock, ledger);
        stores.add(store);
        for (int a = 0; a < s.accountsPerNode(); a++) {
          BudgetPath path = tree.path("z", "t" + (s.samePath() ? 0 : a), null);
          accounts.add(new Account(store, path, rec));
        }
      }
      long begin = CLOCK.nanos();
      rec.from = begin + (long) (warmupS * 1e9);
      rec.to = rec.from + (long) (seconds * 1e9);
      for (Account a : accounts) {
        a.next();
      }
      sleepUntil(rec.from);
      long conflictsBefore = conflicts(stores);
      sleepUntil(rec.to);
      long conflictsAfter = conflicts(stores);
      rec.stop = true;
      for (Account a : accounts) {
        a.done.get(30, TimeUnit.SECONDS);
      }
      Result r =
          new Result(
              s,
              rec.granted.get(),
              seconds,
              rec.sortedLatencies(),
              conflictsAfter - conflictsBefore,
              rec.denied.get(),
              rec.unavailable.get(),
              rec.lastUnavailable);
      List<CompletableFuture<Void>> settled = new ArrayList<>();
      for (Account a : accounts) {
        settled.add(a.settle());
      }
      CompletableFuture.allOf(settled.toArray(new CompletableFuture<?>[0]))
          .get(30, TimeUnit.SECONDS);
      return r;
    } finally {
      for (EtcdBudgetStore st : stores) {
        st.close();
      }
      for (Ledger l : ledgers) {
        l.close();
      }
      deletePrefix(endpoints, prefix);
    }
  }

  /** One client, one compare-and-swap transaction on one key at a time. */
  static Result runTxn(
      Scenario s, List<URI> endpoints, String prefix, double warmupS, double seconds)
      throws Exception {
    Recorder rec = new Recorder();
    ByteSequence key = ByteSequence.from(prefix + "/txn", StandardCharsets.UTF_8);
    try (Client c = Client.builder().endpoints(endpoints.toArray(new URI[0])).build()) {
      KV kv = c.getKVClient();
      long value = 0;
      long revision =
          kv.put(key, decimal(value)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
      long begin = CLOCK.nanos();
      rec.from = begin + (long) (warmupS * 1e9);
      rec.to = rec.from + (long) (seconds * 1e9);
      long conflicts = 0;
      while (CLOCK.nanos() < rec.to) {
        long asked = CLOCK.nanos();
        TxnResponse r =
            kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(revision)))
                .Then(Op.put(key, decimal(value + 1), PutOption.DEFAULT))
                .commit()
                .get(10, TimeUnit.SECONDS);
        long answered = CLOCK.nanos();
        if (!r.isSucceeded()) {
          conflicts++; // nobody else writes the key: never expected
          revision = kv.get(key).get(10, TimeUnit.SECONDS).getKvs().get(0).getModRevision();
          continue;
        }
        value++;
        revision = r.getHeader().getRevision();
        rec.granted(asked, answered);
      }
      c.getKVClient().delete(key).get(10, TimeUnit.SECONDS);
      return new Result(
          s, rec.granted.get(), seconds, rec.sortedLatencies(), conflicts, 0, 0, null);
    }
  }

  private static ByteSequence decimal(long v) {
    return ByteSequence.from(Long.toString(v), StandardCharsets.UTF_8);
  }

  private static long conflicts(List<EtcdBudgetStore> stores) {
    long sum = 0;
    for (EtcdBudgetStore st : stores) {
      EtcdStoreStats stats = st.stats();
      sum += stats.conflictsRetried();
    }
    return sum;
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - CLOCK.nanos()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  private static void deletePrefix(List<URI> endpoints, String prefix) {
    try (Client c = Client.builder().endpoints(endpoints.toArray(new URI[0])).build()) {
      ByteSequence key = ByteSequence.from(prefix + "/", StandardCharsets.UTF_8);
      c.getKVClient()
          .delete(key, DeleteOption.builder().isPrefix(true).build())
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("could not delete the keys under " + prefix + ": " + e);
    }
  }

  private static void report(Result r) {
    Scenario s = r.scenario();
    String n = s.name();
    line(n, "nodes", s.nodes());
    line(n, "accounts", s.nodes() * s.accountsPerNode());
    line(n, "grants", r.grants());
    line(n, "grants_per_s", r.grantsPerSecond());
    line(n, "p50_ms", r.pctMillis(50));
    line(n, "p90_ms", r.pctMillis(90));
    line(n, "p99_ms", r.pctMillis(99));
    line(n, "max_ms", r.pctMillis(100));
    line(n, "conflicts_retried", r.conflicts());
    line(n, "conflicts_per_grant", r.grants() == 0 ? 0 : (double) r.conflicts() / r.grants());
    line(n, "denied", r.denied());
    line(n, "unavailable", r.unavailable());
    System.out.flush();
    System.err.printf(
        Locale.ROOT,
        "grants %s: %d node(s) x %d account(s): %.0f grants/s, p50 %.2f ms, p99 %.2f ms, max %.2f"
            + " ms, %d conflicts retried, %d denied, %d unavailable%s%n",
        n,
        s.nodes(),
        s.accountsPerNode(),
        r.grantsPerSecond(),
        r.pctMillis(50),
        r.pctMillis(99),
        r.pctMillis(100),
        r.conflicts(),
        r.denied(),
        r.unavailable(),
        r.lastUnavailable() == null ? "" : " (last: " + r.lastUnavailable() + ")");
  }

  private static void line(String scenario, String metric, double value) {
    System.out.printf(Locale.ROOT, "grants\t%s\t%s\t%.4f%n", scenario, metric, value);
  }

  private static void line(String scenario, String metric, long value) {
    System.out.printf(Locale.ROOT, "grants\t%s\t%s\t%d%n", scenario, metric, value);
  }

  /** Outcomes and latencies of the answers that arrive within [from, to). */
  static final class Recorder {
    volatile long from;
    volatile long to;
    volatile boolean stop;
    volatile String lastUnavailable;
    final AtomicLong granted = new AtomicLong();
    final AtomicLong denied = new AtomicLong();
    final AtomicLong unavailable = new AtomicLong();
    private long[] latencies = new long[1 << 14];
    private int size;

    void record(long asked, long answered, GrantResult r) {
      if (answered < from || answered >= to) {
        return;
      }
      if (r instanceof GrantResult.Granted) {
        granted(asked, answered);
      } else if (r instanceof GrantResult.Denied) {
        denied.incrementAndGet();
      } else {
        unavailable.incrementAndGet();
        lastUnavailable = r instanceof GrantResult.Unavailable u ? u.reason() : String.valueOf(r);
      }
    }

    void granted(long asked, long answered) {
      if (answered < from || answered >= to) {
        return;
      }
      granted.incrementAndGet();
      add(answered - asked);
    }

    private synchronized void add(long nanos) {
      if (size == latencies.length) {
        latencies = Arrays.copyOf(latencies, size * 2);
      }
      latencies[size++] = nanos;
    }

    synchronized long[] sortedLatencies() {
      long[] out = Arrays.copyOf(latencies, size);
      Arrays.sort(out);
      return out;
    }
  }

  /**
   * One budget path on one node, as a gateway's escrow account uses it: one grant in flight, each
   * refilling the same escrow set.
   */
  static final class Account {
    final EtcdBudgetStore store;
    final BudgetPath path;
    final Recorder rec;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    // Touched by one grant's callback at a time (the loop has one grant in flight):
    private long setId;
    private long setTime;
    private long granted;

    Account(EtcdBudgetStore store, BudgetPath path, Recorder rec) {
      this.store = store;
      this.path = path;
      this.rec = rec;
    }

    void next() {
      if (rec.stop) {
        done.complete(null);
        return;
      }
      long asked = CLOCK.nanos();
      store
          .grant(new GrantRequest(path, setId, NEED, granted))
          .whenComplete(
              (r, e) -> {
                long answered = CLOCK.nanos();
                GrantResult result =
                    r != null ? r : new GrantResult.Unavailable(store.name(), String.valueOf(e));
                rec.record(asked, answered, result);
                if (result instanceof GrantResult.Granted g) {
                  setId = g.setId();
                  setTime = g.setTime();
                  granted += g.amount();
                } else if (result instanceof GrantResult.Unavailable u
                    && u.reason().contains("is no longer in etcd")) {
                  setId = 0;
                  granted = 0;
                }
                next();
              });
    }

    /** Settles the account's set as all sent (after the loop has stopped). */
    CompletableFuture<Void> settle() {
      if (setId == 0) {
        return CompletableFuture.completedFuture(null);
      }
      return store.settle(new Settlement(path, setId, setTime, granted, granted, 0, "bench"));
    }
  }
}
