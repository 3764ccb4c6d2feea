package dev.sluice.cluster;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Denial;
import dev.sluice.cluster.CasLoop.Plan;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.store.BudgetEntries;
import dev.sluice.store.BudgetStore;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantObserver;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.OpenSet;
import dev.sluice.store.Settlement;
import dev.sluice.store.StoreMath;
import dev.sluice.store.StoreTime;
import dev.sluice.store.StrandedReport;
import dev.sluice.time.Clock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The budget store of a site with many gateway nodes: the spent counters are etcd keys, and a grant
 * is one etcd transaction over every counter on the path (every window of every node), conditioned
 * on their revisions, that also writes the grant record of its escrow set and bumps this node's
 * grant sequence. Key layout and value encodings: {@link EtcdKeys}, {@link SetRecord}, {@code
 * docs/formats/etcd-v1.md}.
 *
 * <p>Zero overshoot: a grant commits only if no counter it read has changed since (compare-and-swap
 * on mod revisions), and it never raises a counter past its cap, so the sum of all grants of all
 * nodes in a period never exceeds any cap. A transaction that finds a key changed reads the new
 * values in the same round trip and tries again after a short random back-off, until the operation
 * timeout has passed (at least {@value CasLoop#MIN_ATTEMPTS} attempts; see {@link CasLoop}); only
 * then is the grant {@code Unavailable}.
 *
 * <p>Crash guarantees (this node keeps its own ledger as well, like {@code LocalBudgetStore}):
 *
 * <ul>
 *   <li>A grant completes {@code Granted} only after its transaction committed in etcd (durable on
 *       a majority of members) and its {@code grant} entry (with field {@code node}) is fsynced in
 *       this node's ledger. If the ledger append fails, the bytes stay counted in etcd and the
 *       grant completes {@code Unavailable} naming the ledger.
 *   <li>Escrow sets left unsettled by an earlier run of this node id (their grant records are still
 *       in etcd) are found at start: each gets a {@code stranded} ledger entry, its reported sent
 *       bytes are added to the sent counters, its record is deleted, and its bytes stay counted as
 *       spent ({@link #stranded()}). A crash between an etcd transaction and its ledger entry loses
 *       the entry, never the bytes: etcd holds the truth, the ledger the node's account of it.
 *   <li>A settlement credits the returned bytes, adds the sent bytes and deletes the record in one
 *       transaction conditioned on the record's revision, so a set is credited at most once, and
 *       never more than its record says was granted. A settlement that cannot reach etcd is kept
 *       and retried every second until it lands or the store closes; meanwhile its bytes stay
 *       spent.
 *   <li>A grant whose transaction was sent but whose answer was lost (time-out, connection lost)
 *       completes {@code Unavailable} and is remembered as uncertain; before this node's next etcd
 *       operation it is resolved by a fencing write to this node's sequence key, after which the
 *       lost transaction can no longer commit. If it had committed, its {@code grant} entry is
 *       written late (field {@code late}) and a new set is settled back at once (nobody holds it).
 * </ul>
 *
 * <p>Fail closed and recover by itself: every etcd call has the operation deadline; a grant that
 * cannot commit in time completes {@code Unavailable} (the holder spends its unexpired escrow and
 * then denies). Once a call has failed because etcd could not be reached (no answer in time, {@code
 * UNAVAILABLE}, connection refused), etcd is known to be unreachable ({@link Reachability}): grants
 * complete {@code Unavailable} at once ("etcd unreachable since T"), settlements fail their first
 * try at once and are kept, and the background work pauses, so no refusal waits behind the timeouts
 * of earlier operations. One probe, a read at most once per operation timeout, finds etcd back.
 * Nothing needs a restart when etcd comes back: the next grant simply succeeds (after resolving an
 * uncertain grant, as always), and the background tick (every second) resolves uncertain grants,
 * retries settlements, re-lists the keys after a broken watch and renews the liveness lease.
 *
 * <p>Clock skew: the clock only decides which period keys a grant charges and when a set expires. A
 * skewed node can therefore misjudge its own expiries and period boundaries (charging a period that
 * has, by the true clock, not yet begun or already ended), but spent only ever grows through
 * compare-and-swap transactions, every node that charges a period key sees every other node's
 * charges to it, and only the owning node credits its own set, once. So skew never lets the nodes
 * together pass a cap of a period they agree on.
 *
 * <p>Threads: all logic runs on one store thread, and all operations on this node's keys go through
 * one queue ({@link OpQueue}), so grant ids follow each other. Callers never wait: {@link #grant}
 * and {@link #settle} return futures; {@link #usage} and {@link #nodes} read a local copy of the
 * keys kept current by an etcd watch on {@code {prefix}/v1/} (re-listed when the watch breaks).
 */
public final class EtcdBudgetStore implements BudgetStore {

  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  private static final long TICK_MILLIS = 1_000;

  /** How long the first etcd call at start may take, whatever the operation timeout. */
  static final long START_TIMEOUT_MILLIS = 10_000;

  private static final long RETRY_PAUSE_NANOS = 50_000_000L;

  private final BudgetTree tree;
  private final WindowCalendar calendar;
  private final EtcdStoreOptions options;
  private final ChunkPolicy policy;
  private final Clock clock;
  private final Ledger ledger;
  private final GrantObserver observer;
  private final String name;
  private final String nodeId;
  private final EtcdKeys keys;
  private final Client client;
  private final EtcdIo io;
  private final KeyCache cache = new KeyCache();
  private final ScheduledExecutorService executor;
  private final OpQueue queue;
  private final CasLoop casLoop;
  private final KeyWatch keyWatch;
  private final Liveness liveness;
  private final long grantTtlMillis;
  private final long opTimeoutNanos;
  private final StoreTime time;
  private final Reachability reachability;
  private final ConcurrentHashMap<Long, OpenSet> open = new ConcurrentHashMap<>();
  private final AtomicLong grantsIssued = new AtomicLong();
  private final AtomicInteger uncertainCount = new AtomicInteger();

  /** Settlements not yet durable (added by any thread, attempted on the store thread). */
  private final List<Pending> pending = new CopyOnWriteArrayList<>();

  // Store thread only:
  private Uncertain uncertain;
  private CompletableFuture<Boolean> resolving;
  private long lastSeq;
  private boolean ticking;

  private volatile StrandedReport stranded = StrandedReport.NONE;
  private volatile boolean closed;

  private EtcdBudgetStore(
      BudgetTree tree,
      ZoneId zone,
      EtcdStoreOptions options,
      ChunkPolicy policy,
      Clock clock,
      Ledger ledger,
      GrantObserver observer,
      Client client) {
    this.tree = tree;
    this.calendar = new WindowCalendar(zone);
    this.options = options;
    this.policy = policy;
    this.clock = clock;
    this.ledger = ledger;
    this.observer = observer;
    this.nodeId = options.nodeId();
    this.keys = new EtcdKeys(options.prefix());
    this.client = client;
    this.name = nameOf(options);
    this.grantTtlMillis = options.grantTtl().toMillis();
    this.opTimeoutNanos = options.operationTimeout().toNanos();
    this.time = new StoreTime(clock, clock.millis());
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-etcd-store-" + options.nodeId());
              t.setDaemon(true);
              return t;
            });
    this.reachability = new Reachability(name, clock, executor, options.operationTimeout());
    this.io = new EtcdIo(client.getKVClient(), options.operationTimeout(), reachability);
    String seqKey = keys.seq(nodeId);
    reachability.probeWith(() -> io.read(List.of(seqKey)));
    this.queue = new OpQueue(executor);
    this.casLoop = new CasLoop(io, cache, executor, clock, options.operationTimeout());
    this.keyWatch = new KeyWatch(client, io, cache, keys.root(), executor, name);
    this.liveness =
        new Liveness(
            client,
            cache,
            keys.liveness(nodeId),
            nodeId,
            clock,
            executor,
            options.grantTtl(),
            options.operationTimeout());
  }

  /** {@code etcd:} + the endpoints (comma-separated) + the prefix. */
  static String nameOf(EtcdStoreOptions o) {
    List<String> eps = new ArrayList<>();
    for (URI u : o.endpoints()) {
      eps.add(u.toString());
    }
    return "etcd:" + String.join(",", eps) + o.prefix();
  }

  /**
   * Opens the store without a grant observer; see {@link #open(BudgetTree, ZoneId,
   * EtcdStoreOptions, ChunkPolicy, Clock, Ledger, GrantObserver)}.
   */
  public static EtcdBudgetStore open(
      BudgetTree tree,
      ZoneId zone,
      EtcdStoreOptions options,
      ChunkPolicy policy,
      Clock clock,
      Ledger ledger)
      throws IOException {
    return open(tree, zone, options, policy, clock, ledger, GrantObserver.NONE);
  }

  /**
   * Connects to etcd, lists this site's keys, announces this node under a lease (its liveness key,
   * created only if absent), fences off any transaction of an earlier run of this node id, and
   * records the escrow sets that run left unsettled as stranded (ledger entries, sent counters).
   * Blocks while doing so (control plane).
   *
   * <p>One node id, one running process: if another process holds this node id's liveness key,
   * {@code open} waits up to {@code grant_ttl} + {@link #CLAIM_MARGIN} (at least the operation
   * timeout) for its lease to expire, which it does within {@code grant_ttl} after that process was
   * killed, and refuses to open if it does not (it returns sooner when the lease is seen renewed
   * twice, or has more time to live than is left to wait). A store closed normally revokes its
   * lease, so a restart after a clean stop does not wait.
   *
   * @param ledger this node's own ledger (grant, settle and stranded entries go to it); {@code
   *     null} only in tests
   * @param observer told about every grant (latency, outcome) for metrics
   * @throws IOException naming the endpoints and the reason if etcd cannot be reached, the stranded
   *     sets cannot be recorded, or the node id is in use by a live node (with its {@code
   *     started_at})
   */
  public static EtcdBudgetStore open(
      BudgetTree tree,
      ZoneId zone,
      EtcdStoreOptions options,
      ChunkPolicy policy,
      Clock clock,
      Ledger ledger,
      GrantObserver observer)
      throws IOException {
    Objects.requireNonNull(tree, "tree");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(observer, "observer");
    Client client =
        Client.builder()
            .endpoints(options.endpoints().toArray(new URI[0]))
            .connectTimeout(options.operationTimeout())
            .build();
    EtcdBudgetStore s =
        new EtcdBudgetStore(tree, zone, options, policy, clock, ledger, observer, client);
    try {
      s.start();
      return s;
    } catch (IOException | RuntimeException e) {
      s.liveness.close(); // the key goes at once, not after grant_ttl, if this run had claimed it
      s.shutdown();
      throw e;
    }
  }

  private void start() throws IOException {
    EtcdIo.Listing listing = firstListing();
    keyWatch.start(listing);
    claimNodeId();
    long setsLeft = countSets(listing.keys());
    // Generous: each step (fence, strand) makes at least MIN_ATTEMPTS calls of up to a timeout.
    long bound = Math.addExact(4, Math.multiplyExact(2, setsLeft)) * (CasLoop.MIN_ATTEMPTS + 1);
    StrandedReport report =
        awaitFor(
            queue.submit(this::recover), options.operationTimeout().multipliedBy(bound), "recover");
    this.stranded = report;
    executor.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    log.info(
        "budget store {} opened as node {}: {} escrow sets of an earlier run stranded ({} bytes)",
        name,
        nodeId,
        report.sets(),
        report.bytes());
  }

  /**
   * The first listing. It is also the client's first call, which connects and, in a fresh JVM,
   * loads and warms up gRPC: on a small machine that takes a few seconds, longer than a short
   * operation timeout (later calls take milliseconds). So it is retried with the operation timeout
   * until {@link #START_TIMEOUT_MILLIS} (or twice the operation timeout, if longer) has passed; an
   * etcd that has not answered by then still stops the start.
   */
  private EtcdIo.Listing firstListing() throws IOException {
    // Real time, whatever clock the store was given: this bounds waiting on a socket.
    Clock real = Clock.system();
    long deadline =
        real.nanos()
            + Math.max(TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS), 2 * opTimeoutNanos);
    while (true) {
      try {
        return await(io.list(keys.root()), "list " + keys.root());
      } catch (IOException e) {
        if (real.nanos() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
          throw e;
        }
        log.debug("{}: first listing not answered yet, trying again: {}", name, e.getMessage());
        java.util.concurrent.locks.LockSupport.parkNanos(RETRY_PAUSE_NANOS); // if it failed at once
      }
    }
  }

  /** Longest wait at start for the lease of an earlier run of this node id, beyond its TTL. */
  static final Duration CLAIM_MARGIN = Duration.ofSeconds(2);

  /**
   * Makes the liveness key this run's, before anything touches this node id's keys: if another
   * process holds it, waits up to {@code grant_ttl} + {@link #CLAIM_MARGIN} (at least the operation
   * timeout) for its lease to expire, as it does after that process was killed, and refuses to open
   * if it does not: two running gateways with one node id would strand each other's escrow.
   */
  private void claimNodeId() throws IOException {
    Duration maxWait = options.grantTtl().plus(max(CLAIM_MARGIN, options.operationTimeout()));
    String what = "announce node " + nodeId;
    Liveness.Holder h = await(liveness.claim(0), what);
    for (int i = 0; h != null && h.leaseId() <= 0 && i < 3; i++) {
      if (h.leaseId() == 0) {
        log.warn(
            "{}: liveness key {} has no lease (no running node writes one so): taking it over",
            name,
            liveness.key());
      }
      // A key without a lease is taken over where it is; one deleted meanwhile is claimed anew.
      h = await(liveness.claim(h.leaseId() == 0 ? h.modRevision() : 0), what);
    }
    if (h == null) {
      return;
    }
    if (h.leaseId() <= 0) {
      throw new IOException(
          name
              + ": liveness key "
              + liveness.key()
              + " keeps changing: is another process starting"
              + " with node_id "
              + nodeId
              + "?");
    }
    log.warn(
        "{}: node id {} is held by a node started at {} (liveness key {}): waiting up to {} s for"
            + " its lease to expire, as it does within grant_ttl after that node was killed",
        name,
        nodeId,
        startedAt(h),
        liveness.key(),
        maxWait.toMillis() / 1000.0);
    Liveness.Release r =
        awaitFor(
            liveness.awaitRelease(h, maxWait),
            maxWait.plus(options.operationTimeout().multipliedBy(2)),
            "wait for the liveness lease of node " + nodeId);
    double waited = r.waitedMillis() / 1000.0;
    if (r.released()) {
      log.info("{}: the earlier lease of node {} ended after {} s", name, nodeId, waited);
      Liveness.Holder again = await(liveness.claim(0), what);
      if (again == null) {
        return;
      }
      h = again;
      r =
          new Liveness.Release(
              false, "another process took the key as soon as it was free", r.waitedMillis());
    }
    throw new IOException(
        String.format(
            "etcd store at %s (prefix %s): node id %s is in use by a live node: its liveness key"
                + " %s (started_at %s) is held under lease %d, and %s (waited %.1f s of at most"
                + " %.1f s). Every gateway node of a site needs its own node_id; if that node was"
                + " just killed, its lease expires within grant_ttl (%.1f s): start again then",
            options.endpoints(),
            options.prefix(),
            nodeId,
            liveness.key(),
            startedAt(h),
            h.leaseId(),
            r.why(),
            waited,
            maxWait.toMillis() / 1000.0,
            options.grantTtl().toMillis() / 1000.0));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static String startedAt(Liveness.Holder h) {
    return h.startedAt() < 0 ? "unknown" : Instant.ofEpochMilli(h.startedAt()).toString();
  }

  private long countSets(Map<String, Versioned> listing) {
    String prefix = keys.setsOf(nodeId);
    return listing.keySet().stream().filter(k -> k.startsWith(prefix)).count();
  }

  private <T> T await(CompletableFuture<T> f, String what) throws IOException {
    return awaitFor(f, options.operationTimeout().multipliedBy(2), what);
  }

  private <T> T awaitFor(CompletableFuture<T> f, Duration d, String what) throws IOException {
    try {
      return f.get(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(name + ": interrupted during " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(
          "etcd store at "
              + options.endpoints()
              + " (prefix "
              + options.prefix()
              + "): cannot "
              + what
              + ": "
              + EtcdIo.rootMessage(e),
          e);
    }
  }

  // ---------------------------------------------------------------- recovery at start

  /** Fences the sequence key, then strands every set of this node left by an earlier run. */
  private CompletableFuture<StrandedReport> recover() {
    return casLoop
        .run(new Fence())
        .thenComposeAsync(
            seq -> {
              lastSeq = seq;
              List<String> leftover = new ArrayList<>();
              cache.forEach(keys.setsOf(nodeId), (k, v) -> leftover.add(k));
              leftover.sort(null);
              return strandAll(leftover, 0, StrandedReport.NONE);
            },
            executor);
  }

  private CompletableFuture<StrandedReport> strandAll(
      List<String> setKeys, int i, StrandedReport sofar) {
    if (i == setKeys.size()) {
      return CompletableFuture.completedFuture(sofar);
    }
    String key = setKeys.get(i);
    return casLoop
        .run(new Strand(key))
        .thenComposeAsync(
            record -> {
              if (record == null) {
                return strandAll(setKeys, i + 1, sofar);
              }
              long sent = StoreMath.sentOf(record.granted(), record.sent());
              long lost = StoreMath.unsentOf(record.granted(), record.sent());
              log.warn(
                  "{}: escrow set {} of an earlier run was never settled: {} bytes stay counted as"
                      + " spent ({} reported sent)",
                  name,
                  record.setId(),
                  lost,
                  sent);
              CompletableFuture<Long> durable =
                  append(
                      BudgetEntries.stranded(
                              now(),
                              record.setId(),
                              record.setTime(),
                              record.nodes(),
                              record.granted(),
                              sent,
                              lost)
                          .put("node", nodeId)
                          .build());
              StrandedReport next =
                  new StrandedReport(sofar.sets() + 1, Math.addExact(sofar.bytes(), lost));
              return durable.thenComposeAsync(x -> strandAll(setKeys, i + 1, next), executor);
            },
            executor);
  }

  // ---------------------------------------------------------------- BudgetStore

  @Override
  public CompletableFuture<GrantResult> grant(GrantRequest request) {
    Objects.requireNonNull(request, "request");
    long started = clock.nanos();
    if (closed) {
      observer.onGrant(0, GrantObserver.UNAVAILABLE, 0);
      return unavailable("store is closed");
    }
    if (!reachability.reachable()) {
      // Known unreachable: answer now rather than after every queued operation's timeout.
      observer.onGrant(clock.nanos() - started, GrantObserver.UNAVAILABLE, 0);
      return unavailable(reachability.describe());
    }
    return queue
        .submit(() -> grantOp(request, started))
        .handle(
            (r, e) -> r != null ? r : unavailableResult("grant failed: " + EtcdIo.rootMessage(e)))
        .whenComplete(
            (r, e) -> {
              long amount = r instanceof GrantResult.Granted g ? g.amount() : 0;
              observer.onGrant(clock.nanos() - started, GrantObserver.outcome(r), amount);
            });
  }

  @Override
  public CompletableFuture<Void> settle(Settlement settlement) {
    Objects.requireNonNull(settlement, "settlement");
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(name + " is closed; the set's escrow stays counted as spent"));
    }
    Pending p = new Pending(settlement);
    if (!reachability.reachable()) {
      // Kept for the background retries; its caller learns at once that it is not durable yet.
      pending.add(p);
      p.firstTry.completeExceptionally(notDurableYet(p, reachability.describe()));
      return p.firstTry;
    }
    queue
        .submit(
            () -> {
              pending.add(p);
              return settleAttempt(p);
            })
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                p.firstTry.completeExceptionally(e); // e.g. the store closed meanwhile
              }
            });
    return p.firstTry;
  }

  @Override
  public Usage usage(BudgetNode node, Window window) {
    long now = now();
    long start = calendar.periodStart(window, now);
    long period = EtcdKeys.period(window, start);
    return new Usage(
        counterValue(keys.counter(node.id(), window, period)),
        counterValue(keys.sent(node.id(), window, period)),
        start,
        calendar.periodEnd(window, now));
  }

  private long counterValue(String key) {
    try {
      return cache.get(key).asCounter(key);
    } catch (IllegalStateException e) {
      log.warn("{}: {}", name, e.getMessage());
      return 0;
    }
  }

  @Override
  public String name() {
    return name;
  }

  public String nodeId() {
    return nodeId;
  }

  public BudgetTree tree() {
    return tree;
  }

  /** Escrow sets of an earlier run of this node id found unsettled at start. */
  public StrandedReport stranded() {
    return stranded;
  }

  /** This node's open escrow sets, as it knows them. */
  public List<OpenSet> openSets() {
    return List.copyOf(new TreeMap<>(open).values());
  }

  /** This node's counters. */
  public EtcdStoreStats stats() {
    StrandedReport s = stranded;
    return new EtcdStoreStats(
        grantsIssued.get(),
        casLoop.conflicts(),
        pendingCount(),
        uncertainCount.get(),
        s.sets(),
        s.bytes());
  }

  private int pendingCount() {
    return pending.size();
  }

  /**
   * Every gateway node that is live or holds escrow, by node id, as this node's copy of the keys
   * shows them (it lags etcd by the watch's delay).
   */
  public List<NodeEscrow> nodes() {
    long now = now();
    Map<String, long[]> acc = new TreeMap<>(); // live, open, held, expired sets, expired bytes
    acc.put(nodeId, new long[5]);
    String live = keys.nodes();
    cache.forEach(
        live, (k, v) -> acc.computeIfAbsent(k.substring(live.length()), n -> new long[5])[0] = 1);
    String sets = keys.sets();
    cache.forEach(
        sets,
        (k, v) -> {
          String rest = k.substring(sets.length());
          int slash = rest.indexOf('/');
          if (slash <= 0) {
            return;
          }
          SetRecord r;
          try {
            r = SetRecord.parse(k, v.value());
          } catch (IllegalArgumentException e) {
            log.warn("{}: {}", name, e.getMessage());
            return;
          }
          long[] a = acc.computeIfAbsent(rest.substring(0, slash), n -> new long[5]);
          long held = StoreMath.unsentOf(r.granted(), r.sent());
          a[1]++;
          a[2] = StoreMath.saturatedAdd(a[2], held);
          if (r.expiresAt() <= now) {
            a[3]++;
            a[4] = StoreMath.saturatedAdd(a[4], held);
          }
        });
    List<NodeEscrow> out = new ArrayList<>();
    acc.forEach(
        (n, a) -> out.add(new NodeEscrow(n, a[0] == 1, (int) a[1], a[2], (int) a[3], a[4])));
    return out;
  }

  /**
   * Stops background work, waits (up to twice the operation timeout) for queued operations, revokes
   * the liveness lease and closes the client. Settlements still pending stay counted as spent;
   * their sets are found stranded at the next start. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      queue
          .submit(() -> CompletableFuture.completedFuture(null))
          .get(2 * opTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("{}: queued etcd operations did not finish before close: {}", name, e.toString());
    }
    int left = pendingCount();
    if (left > 0) {
      log.warn(
          "{}: {} settlements never reached etcd; their bytes stay counted as spent and their sets"
              + " are recorded as stranded at the next start",
          name,
          left);
    }
    liveness.close();
    shutdown();
    log.info("budget store {} closed", name);
  }

  private void shutdown() {
    closed = true;
    reachability.close();
    keyWatch.close();
    executor.shutdownNow();
    client.close();
  }

  // ---------------------------------------------------------------- grants

  private CompletableFuture<GrantResult> grantOp(GrantRequest r, long started) {
    if (closed) {
      return unavailable("store is closed");
    }
    if (!reachability.reachable()) {
      return unavailable(reachability.describe());
    }
    if (ledger != null && !ledger.healthy()) {
      return unavailable("ledger is not writable");
    }
    if (clock.nanos() - started > opTimeoutNanos) {
      return unavailable("etcd did not answer earlier operations within the operation timeout");
    }
    return resolveUncertain()
        .thenComposeAsync(
            resolved ->
                resolved
                    ? grantNow(r)
                    : unavailable("an earlier grant's outcome is still unknown; etcd unreachable"),
            executor);
  }

  private CompletableFuture<GrantResult> grantNow(GrantRequest r) {
    long now = now();
    BudgetPath path = r.path();
    OpenSet set = null;
    if (r.setId() != 0) {
      set = open.get(r.setId());
      if (set == null) {
        return unavailable("escrow set " + r.setId() + " is not open on node " + nodeId);
      }
      if (!set.nodes().equals(path.nodeIds())) {
        return unavailable("escrow set " + r.setId() + " is not on path " + path);
      }
    }
    long setTime = set == null ? now : set.setTime();
    long dayEnd = calendar.periodEnd(Window.DAY, setTime);
    if (now >= dayEnd) {
      return unavailable("escrow set " + r.setId() + " ended with its day; settle it first");
    }
    return casLoop.run(new Grant(r, set, now, setTime, dayEnd));
  }

  /** One grant as a compare-and-swap over the path's counters, the sequence and the set record. */
  private final class Grant implements CasLoop.Op<GrantResult> {
    final GrantRequest r;
    final BudgetPath path;
    final OpenSet set;
    final long now;
    final long setTime;
    final long dayEnd;
    final Map<Window, Long> periods;
    final String[] counterKeys;
    final String seqKey = keys.seq(nodeId);
    // Of the attempt in flight:
    long grantId;
    long amount;
    long expires;
    String setKey;
    Versioned seqBasis;

    Grant(GrantRequest r, OpenSet set, long now, long setTime, long dayEnd) {
      this.r = r;
      this.path = r.path();
      this.set = set;
      this.now = now;
      this.setTime = setTime;
      this.dayEnd = dayEnd;
      this.periods = SetRecord.periodsOf(calendar, setTime);
      this.counterKeys = new String[path.slotCount()];
      for (int s = 0; s < counterKeys.length; s++) {
        Window w = path.slotWindow(s);
        counterKeys[s] = keys.counter(path.slotBudgetNode(s).id(), w, periods.get(w));
      }
    }

    @Override
    public Plan<GrantResult> plan(Snapshot snap) {
      int binding = -1;
      long remaining = Long.MAX_VALUE;
      long[] spent = new long[counterKeys.length];
      for (int s = 0; s < counterKeys.length; s++) {
        spent[s] = snap.get(counterKeys[s]).asCounter(counterKeys[s]);
        long cap = path.slotCap(s);
        long left = Math.max(0, (cap == BudgetNode.NO_LIMIT ? Long.MAX_VALUE : cap) - spent[s]);
        if (binding < 0 || left < remaining) {
          binding = s;
          remaining = left;
        }
      }
      seqBasis = snap.get(seqKey);
      grantId = Math.addExact(Math.max(seqBasis.asCounter(seqKey), lastSeq), 1);
      setKey = keys.set(nodeId, set == null ? grantId : set.setId());
      List<String> all = new ArrayList<>(List.of(counterKeys));
      all.add(seqKey);
      all.add(setKey);
      Versioned setV = snap.get(setKey);
      SetRecord record = null;
      if (set != null) {
        if (!setV.exists()) {
          if (!snap.fresh(setKey)) {
            return new Plan.Refresh<>(all);
          }
          forget(set.setId());
          return new Plan.Done<>(
              unavailableResult("escrow set " + set.setId() + " is no longer in etcd"));
        }
        record = SetRecord.parse(setKey, setV.value());
      } else if (setV.exists()) {
        if (!snap.fresh(setKey)) {
          return new Plan.Refresh<>(all);
        }
        return new Plan.Done<>(
            unavailableResult(
                "grant record "
                    + setKey
                    + " exists before its grant: is another running gateway using node_id "
                    + nodeId
                    + "?"));
      }
      amount = policy.amount(r.need(), r.want(), remaining);
      if (amount < 0 || (amount == 0 && set == null)) {
        if (!snap.allFresh(counterKeys)) {
          return new Plan.Refresh<>(all);
        }
        log.debug(
            "{}: denied {} bytes on {}: {} spent of {}",
            name,
            r.need(),
            counterKeys[binding],
            spent[binding],
            path.slotCap(binding));
        return new Plan.Done<>(new GrantResult.Denied(denial(binding)));
      }
      expires = StoreMath.expiresAt(now, grantTtlMillis, dayEnd);
      SetRecord next =
          record == null
              ? new SetRecord(
                  grantId,
                  nodeId,
                  setTime,
                  path.nodeIds(),
                  periods,
                  amount,
                  r.sent(),
                  grantId,
                  amount,
                  expires,
                  now)
              : record.plus(grantId, amount, r.sent(), expires, now);
      Map<String, Versioned> basis = new LinkedHashMap<>();
      Map<String, byte[]> puts = new LinkedHashMap<>();
      if (amount > 0) {
        for (int s = 0; s < counterKeys.length; s++) {
          basis.put(counterKeys[s], snap.get(counterKeys[s]));
          puts.put(counterKeys[s], Versioned.decimal(Math.addExact(spent[s], amount)));
        }
      }
      basis.put(seqKey, seqBasis);
      basis.put(setKey, setV);
      puts.put(seqKey, Versioned.decimal(grantId));
      puts.put(setKey, next.toJson());
      return new Plan.Write<>(basis, puts, List.of(), all, this::committed);
    }

    private Denial denial(int slot) {
      BudgetNode node = path.slotBudgetNode(slot);
      Window w = path.slotWindow(slot);
      long cap = path.slotCap(slot);
      String reason = cap == BudgetNode.NO_LIMIT ? "counter_overflow" : Denial.BUDGET_EXHAUSTED;
      return new Denial(node.id(), w, cap, calendar.periodEnd(w, now), reason);
    }

    private CompletableFuture<GrantResult> committed(long revision) {
      lastSeq = grantId;
      grantsIssued.incrementAndGet();
      long setId = set == null ? grantId : set.setId();
      OpenSet o =
          set == null
              ? new OpenSet(grantId, setTime, path.nodeIds(), amount, r.sent())
              : set.plus(amount, r.sent());
      open.put(setId, o);
      GrantResult.Granted g = new GrantResult.Granted(grantId, setId, amount, setTime, expires);
      return append(grantEntry(grantId, setId, path.nodeIds(), amount, expires, r.sent(), false))
          .handle(
              (i, e) ->
                  e == null
                      ? g
                      : unavailableResult(
                          "grant "
                              + grantId
                              + " is counted in etcd but its ledger entry is not durable: "
                              + EtcdIo.rootMessage(e)));
    }

    @Override
    public CompletableFuture<GrantResult> unknown(Throwable e) {
      uncertain =
          new Uncertain(
              grantId,
              set == null ? grantId : set.setId(),
              set == null,
              path,
              setTime,
              amount,
              r.sent(),
              expires,
              seqBasis,
              setKey);
      uncertainCount.set(1);
      log.warn(
          "{}: outcome of grant {} ({} bytes) unknown: {}; it stays counted until resolved",
          name,
          grantId,
          amount,
          EtcdIo.rootMessage(e));
      return unavailable("etcd did not confirm grant " + grantId + ": " + EtcdIo.rootMessage(e));
    }

    @Override
    public GrantResult contended(int attempts) {
      return unavailableResult(
          "etcd keys of path "
              + path
              + " kept changing under other nodes' grants for the operation timeout ("
              + attempts
              + " attempts)");
    }
  }

  private LedgerEntry grantEntry(
      long id, long setId, List<String> nodes, long amount, long expires, long sent, boolean late) {
    LedgerEntry.Builder b =
        BudgetEntries.grant(now(), id, setId, nodes, amount, expires, sent).put("node", nodeId);
    if (late) {
      b.put("late", 1);
    }
    return b.build();
  }

  private void forget(long setId) {
    open.remove(setId);
  }

  // ---------------------------------------------------------------- uncertain grants

  /** A grant transaction that was sent and whose answer was lost. */
  private record Uncertain(
      long grantId,
      long setId,
      boolean newSet,
      BudgetPath path,
      long setTime,
      long amount,
      long sent,
      long expires,
      Versioned seqBasis,
      String setKey) {}

  /**
   * Resolves the uncertain grant, if any: rewrites this node's sequence key unchanged if it is
   * still as the lost transaction read it (after which that transaction can never commit), else
   * reads it and the set record to learn whether it committed. Completes true when nothing is
   * uncertain any more, false when etcd could not be asked.
   */
  private CompletableFuture<Boolean> resolveUncertain() {
    Uncertain u = uncertain;
    if (u == null) {
      return CompletableFuture.completedFuture(true);
    }
    if (resolving == null && !reachability.reachable()) {
      return CompletableFuture.completedFuture(false); // the probe tells when to try again
    }
    if (resolving == null) {
      resolving = fence(u).whenCompleteAsync((ok, e) -> resolving = null, executor);
    }
    return resolving;
  }

  private CompletableFuture<Boolean> fence(Uncertain u) {
    String seqKey = keys.seq(nodeId);
    Map<String, Versioned> basis = Map.of(seqKey, u.seqBasis());
    Map<String, byte[]> puts = Map.of(seqKey, Versioned.decimal(u.seqBasis().asCounter(seqKey)));
    return io.txn(basis, puts, List.of(), List.of(seqKey, u.setKey()))
        .handleAsync(
            (out, e) -> {
              if (e != null) {
                log.debug(
                    "{}: grant {} still uncertain: {}", name, u.grantId(), EtcdIo.rootMessage(e));
                return CompletableFuture.completedFuture(false);
              }
              uncertain = null;
              uncertainCount.set(0);
              if (out.succeeded()) {
                casLoop.applyWrites(basis, puts, List.of(), out.revision());
                log.info("{}: grant {} did not happen (fenced)", name, u.grantId());
                return CompletableFuture.completedFuture(true);
              }
              out.read().forEach(cache::apply);
              Versioned seq = out.read().get(seqKey);
              Versioned rec = out.read().get(u.setKey());
              boolean landed = seq.asCounter(seqKey) == u.grantId();
              if (!landed && rec.exists()) {
                landed = SetRecord.parse(u.setKey(), rec.value()).lastGrant() == u.grantId();
              }
              if (!landed) {
                if (seq.asCounter(seqKey) == u.seqBasis().asCounter(seqKey)) {
                  // Only the revision moved: an earlier fence of ours, answered late, landed.
                  log.info("{}: grant {} did not happen (fenced earlier)", name, u.grantId());
                } else {
                  log.error(
                      "{}: sequence key of node {} was changed by someone else: is another"
                          + " running gateway using this node_id?",
                      name,
                      nodeId);
                }
                return CompletableFuture.completedFuture(true);
              }
              return landed(u).thenApply(x -> true);
            },
            executor)
        .thenCompose(f -> f);
  }

  /** The uncertain grant did commit: ledger it, and give a new set's bytes back at once. */
  private CompletableFuture<Void> landed(Uncertain u) {
    lastSeq = Math.max(lastSeq, u.grantId());
    log.warn(
        "{}: grant {} ({} bytes) did commit although its answer was lost; recorded late",
        name,
        u.grantId(),
        u.amount());
    CompletableFuture<Long> entry =
        append(
            grantEntry(
                u.grantId(),
                u.setId(),
                u.path().nodeIds(),
                u.amount(),
                u.expires(),
                u.sent(),
                true));
    if (u.newSet()) {
      open.put(u.setId(), new OpenSet(u.setId(), u.setTime(), u.path().nodeIds(), u.amount(), 0));
      Settlement s =
          new Settlement(u.path(), u.setId(), u.setTime(), u.amount(), 0, u.amount(), "uncertain");
      Pending p = new Pending(s);
      pending.add(p);
      // Runs after the operation that is resolving (this one), like any other queued settlement.
      queue.submit(() -> settleAttempt(p));
    } else {
      open.computeIfPresent(u.setId(), (id, o) -> o.plus(u.amount(), u.sent()));
    }
    return entry.handle((i, e) -> null);
  }

  // ---------------------------------------------------------------- settlements

  /** A settlement until it is durable in etcd. */
  private static final class Pending {
    final Settlement s;

    /** Completes when the first attempt lands, or exceptionally when it fails (retries go on). */
    final CompletableFuture<Void> firstTry = new CompletableFuture<>();

    boolean sent;
    boolean inFlight;
    boolean finished;
    long granted;
    long sentBytes;
    long returned;
    SetRecord record;

    Pending(Settlement s) {
      this.s = s;
    }
  }

  private CompletableFuture<Void> settleAttempt(Pending p) {
    if (p.inFlight || p.finished) {
      return CompletableFuture.completedFuture(null);
    }
    if (!p.sent && !open.containsKey(p.s.setId())) {
      done(p); // not open here (settled already, or never granted): nothing to credit
      p.firstTry.complete(null);
      return CompletableFuture.completedFuture(null);
    }
    if (!reachability.reachable()) {
      p.firstTry.completeExceptionally(notDurableYet(p, reachability.describe()));
      return CompletableFuture.completedFuture(null);
    }
    p.inFlight = true;
    return resolveUncertain()
        .thenComposeAsync(
            ok -> {
              if (!ok) {
                throw new CompletionException(
                    new IOException("etcd unreachable (an earlier grant is still uncertain)"));
              }
              return casLoop.run(new Settle(p));
            },
            executor)
        .handleAsync(
            (landed, e) -> {
              p.inFlight = false;
              if (e != null) {
                log.info(
                    "{}: settlement of set {} not durable yet, retried in the background: {}",
                    name,
                    p.s.setId(),
                    EtcdIo.rootMessage(e));
                p.firstTry.completeExceptionally(notDurableYet(p, EtcdIo.rootMessage(e)));
                return CompletableFuture.<Void>completedFuture(null);
              }
              forget(p.s.setId());
              done(p);
              if (!landed) {
                p.firstTry.complete(null);
                return CompletableFuture.<Void>completedFuture(null);
              }
              SetRecord r = p.record;
              CompletableFuture<Long> entry =
                  append(
                      BudgetEntries.settle(
                              now(),
                              p.s.setId(),
                              r.setTime(),
                              r.nodes(),
                              p.granted,
                              p.sentBytes,
                              p.returned,
                              p.s.reason())
                          .put("node", nodeId)
                          .build());
              return entry.handle(
                  (i, le) -> {
                    if (le == null) {
                      p.firstTry.complete(null);
                    } else {
                      p.firstTry.completeExceptionally(le);
                    }
                    return (Void) null;
                  });
            },
            executor)
        .thenCompose(f -> f);
  }

  /** The settlement needs no more attempts (its caller's future is completed separately). */
  private void done(Pending p) {
    p.finished = true;
    pending.remove(p);
  }

  private IOException notDurableYet(Pending p, String why) {
    return new IOException(
        name
            + ": settlement of set "
            + p.s.setId()
            + " not durable yet (retried in the background): "
            + why);
  }

  /**
   * One settlement as a compare-and-swap: credit the returned bytes to the counters the set was
   * granted on, add its sent bytes, delete its record. Completes true when it committed (now or in
   * an earlier attempt whose answer was lost), false when there was nothing to settle.
   */
  private final class Settle implements CasLoop.Op<Boolean> {
    final Pending p;
    final String setKey;

    Settle(Pending p) {
      this.p = p;
      this.setKey = keys.set(nodeId, p.s.setId());
    }

    @Override
    public Plan<Boolean> plan(Snapshot snap) {
      Versioned setV = snap.get(setKey);
      if (!setV.exists()) {
        if (!snap.fresh(setKey)) {
          return new Plan.Refresh<>(List.of(setKey));
        }
        // Only this node deletes its records: an earlier attempt landed, or there was none.
        return new Plan.Done<>(p.sent);
      }
      SetRecord r = SetRecord.parse(setKey, setV.value());
      long sent = StoreMath.sentOf(r.granted(), p.s.sent());
      long returned = StoreMath.unsentOf(r.granted(), p.s.sent());
      Map<String, Versioned> basis = new LinkedHashMap<>();
      Map<String, byte[]> puts = new LinkedHashMap<>();
      List<String> all = new ArrayList<>();
      all.add(setKey);
      basis.put(setKey, setV);
      for (String node : r.nodes()) {
        for (Window w : Window.values()) {
          String ck = keys.counter(node, w, r.periods().get(w));
          String sk = keys.sent(node, w, r.periods().get(w));
          all.add(ck);
          all.add(sk);
          Versioned c = snap.get(ck);
          basis.put(ck, c);
          if (c.exists() && returned > 0) {
            long v = c.asCounter(ck);
            puts.put(ck, Versioned.decimal(v > returned ? v - returned : 0));
          }
          Versioned t = snap.get(sk);
          basis.put(sk, t);
          if (sent > 0) {
            puts.put(sk, Versioned.decimal(StoreMath.saturatedAdd(t.asCounter(sk), sent)));
          }
        }
      }
      p.sent = true;
      p.record = r;
      p.granted = r.granted();
      p.sentBytes = sent;
      p.returned = returned;
      return new Plan.Write<>(
          basis, puts, List.of(setKey), all, rev -> CompletableFuture.completedFuture(true));
    }

    @Override
    public CompletableFuture<Boolean> unknown(Throwable e) {
      return CompletableFuture.failedFuture(e); // idempotent: the next attempt finds out
    }

    @Override
    public Boolean contended(int attempts) {
      throw new CompletionException(
          new IOException(
              "keys kept changing for the operation timeout (" + attempts + " attempts)"));
    }
  }

  // ---------------------------------------------------------------- recovery steps

  /**
   * Rewrites this node's sequence key unchanged, so no transaction of an earlier run can commit.
   */
  private final class Fence implements CasLoop.Op<Long> {
    final String seqKey = keys.seq(nodeId);

    @Override
    public Plan<Long> plan(Snapshot snap) {
      if (!snap.fresh(seqKey)) {
        return new Plan.Refresh<>(List.of(seqKey));
      }
      Versioned v = snap.get(seqKey);
      long seq = v.asCounter(seqKey);
      return new Plan.Write<>(
          Map.of(seqKey, v),
          Map.of(seqKey, Versioned.decimal(seq)),
          List.of(),
          List.of(seqKey),
          rev -> CompletableFuture.completedFuture(seq));
    }

    @Override
    public CompletableFuture<Long> unknown(Throwable e) {
      return CompletableFuture.failedFuture(e);
    }

    @Override
    public Long contended(int attempts) {
      throw new CompletionException(
          new IOException(
              "sequence key of node "
                  + nodeId
                  + " keeps changing: another running gateway uses this node_id"));
    }
  }

  /**
   * Ends a set of an earlier run: its reported sent bytes go to the sent counters, its record is
   * deleted, its bytes stay spent. Completes with the record, or null if it was gone.
   */
  private final class Strand implements CasLoop.Op<SetRecord> {
    final String setKey;

    Strand(String setKey) {
      this.setKey = setKey;
    }

    @Override
    public Plan<SetRecord> plan(Snapshot snap) {
      Versioned setV = snap.get(setKey);
      if (!setV.exists()) {
        return snap.fresh(setKey) ? new Plan.Done<>(null) : new Plan.Refresh<>(List.of(setKey));
      }
      SetRecord r;
      try {
        r = SetRecord.parse(setKey, setV.value());
      } catch (IllegalArgumentException e) {
        log.error("{}: left in place, cannot be stranded: {}", name, e.getMessage());
        return new Plan.Done<>(null);
      }
      long sent = StoreMath.sentOf(r.granted(), r.sent());
      Map<String, Versioned> basis = new LinkedHashMap<>();
      Map<String, byte[]> puts = new LinkedHashMap<>();
      List<String> all = new ArrayList<>();
      all.add(setKey);
      basis.put(setKey, setV);
      if (sent > 0) {
        for (String node : r.nodes()) {
          for (Window w : Window.values()) {
            String sk = keys.sent(node, w, r.periods().get(w));
            Versioned t = snap.get(sk);
            all.add(sk);
            basis.put(sk, t);
            puts.put(sk, Versioned.decimal(StoreMath.saturatedAdd(t.asCounter(sk), sent)));
          }
        }
      }
      return new Plan.Write<>(
          basis, puts, List.of(setKey), all, rev -> CompletableFuture.completedFuture(r));
    }

    @Override
    public CompletableFuture<SetRecord> unknown(Throwable e) {
      return CompletableFuture.failedFuture(e);
    }

    @Override
    public SetRecord contended(int attempts) {
      throw new CompletionException(
          new IOException(
              "keys of "
                  + setKey
                  + " kept changing for the operation timeout ("
                  + attempts
                  + " attempts)"));
    }
  }

  // ---------------------------------------------------------------- background

  /**
   * Every second: resolve, retry settlements, repair the watch, renew liveness. Nothing while etcd
   * is known to be unreachable: each attempt would only hold the queue for a whole operation
   * timeout; the reachability probe finds etcd back, and the next tick does the work.
   */
  private void tick() {
    if (closed || ticking || !reachability.reachable()) {
      return;
    }
    ticking = true;
    queue
        .submit(
            () -> {
              // One after another: resolve first, then each pending settlement.
              CompletableFuture<Void> work = resolveUncertain().handle((x, e) -> null);
              for (Pending p : List.copyOf(pending)) {
                work =
                    work.thenComposeAsync(
                        v ->
                            p.inFlight ? CompletableFuture.completedFuture(null) : settleAttempt(p),
                        executor);
              }
              return work;
            })
        .whenCompleteAsync((v, e) -> ticking = false, executor);
    keyWatch.repairIfBroken();
    liveness.renewIfMissing();
  }

  // ---------------------------------------------------------------- helpers

  /** The store's time ({@link StoreTime}). */
  long now() {
    return time.now();
  }

  private CompletableFuture<Long> append(LedgerEntry e) {
    if (ledger == null) {
      return CompletableFuture.completedFuture(-1L);
    }
    try {
      return ledger.append(e);
    } catch (RuntimeException ex) {
      return CompletableFuture.failedFuture(ex);
    }
  }

  private GrantResult unavailableResult(String reason) {
    return new GrantResult.Unavailable(name, reason);
  }

  private CompletableFuture<GrantResult> unavailable(String reason) {
    return CompletableFuture.completedFuture(unavailableResult(reason));
  }
}
