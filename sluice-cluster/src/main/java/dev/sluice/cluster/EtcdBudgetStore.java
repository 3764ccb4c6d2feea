package dev.sluice.cluster;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetTree;
import dev.sluice.ledger.Ledger;
import dev.sluice.store.BudgetStore;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantObserver;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.OpenSet;
import dev.sluice.store.Settlement;
import dev.sluice.store.StoreTime;
import dev.sluice.store.StrandedReport;
import dev.sluice.time.Clock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.URI;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The budget store of a site with many gateway nodes: the spent counters are etcd keys, and a grant
 * is one etcd transaction over every counter on the path (every window of every node), conditioned
 * on their revisions, that also writes the grant record of its escrow set and bumps this node's
 * grant sequence. Key layout and value encodings: {@link EtcdKeys}, {@link SetRecord}, {@code
 * docs/formats/etcd-v1.md}. This node keeps its own ledger as well, like {@code LocalBudgetStore}
 * ({@link NodeJournal}): etcd holds the truth, the ledger the node's account of it.
 *
 * <p>This class wires the store's jobs together and answers the {@link BudgetStore} calls. Each job
 * is a class of its own, which states the guarantee it owns:
 *
 * <ul>
 *   <li>{@link StartWaits}, {@link NodeClaim}, {@link StartRecovery}: at start, connect, claim the
 *       node id (one node id, one running process), fence off the earlier run and strand the escrow
 *       sets it left unsettled.
 *   <li>{@link Grants}, {@link GrantTxn}: grants; zero overshoot, {@code Granted} only once
 *       committed in etcd and fsynced in the ledger, and what clock skew can and cannot do.
 *   <li>{@link UncertainGrants}: a grant whose answer was lost is fenced before the next operation.
 *   <li>{@link Settlements}, {@link SettleTxn}: a set is credited at most once; a settlement that
 *       cannot reach etcd is kept and retried until it lands.
 *   <li>{@link BackgroundTick}: the work done every second.
 *   <li>{@link SiteView}: usage and every node's escrow, from this node's copy of the keys.
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
 * uncertain grant, as always), and the background tick does the rest.
 *
 * <p>Threads: all logic runs on one store thread, and all operations on this node's keys go through
 * one queue ({@link OpQueue}), so grant ids follow each other. Callers never wait: {@link #grant}
 * and {@link #settle} return futures; {@link #usage} and {@link #nodes} read a local copy of the
 * keys kept current by an etcd watch on {@code {prefix}/v1/} (re-listed when the watch breaks).
 */
public final class EtcdBudgetStore implements BudgetStore {

  private static final Logger log = LoggerFactory.getLogger(EtcdBudgetStore.class);

  private volatile BudgetTree tree;
  private final EtcdStoreOptions options;
  private final String name;
  private final String nodeId;
  private final Client client;
  private final ScheduledExecutorService executor;
  private final Reachability reachability;
  private final KeyWatch keyWatch;
  private final Liveness liveness;
  private final NodeContext ctx;
  private final UncertainGrants uncertain;
  private final Settlements settlements;
  private final Grants grants;
  private final BackgroundTick tick;
  private final SiteView view;

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
    this.options = options;
    this.nodeId = options.nodeId();
    this.client = client;
    this.name = nameOf(options);
    EtcdKeys keys = new EtcdKeys(options.prefix());
    StoreTime time = new StoreTime(clock, clock.millis());
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-etcd-store-" + options.nodeId());
              t.setDaemon(true);
              return t;
            });
    this.reachability = new Reachability(name, clock, executor, options.operationTimeout());
    EtcdIo io = new EtcdIo(client.getKVClient(), options.operationTimeout(), reachability);
    String seqKey = keys.seq(nodeId);
    reachability.probeWith(() -> io.read(List.of(seqKey)));
    OpQueue queue = new OpQueue(executor);
    KeyCache cache = new KeyCache();
    CasLoop casLoop = new CasLoop(io, cache, executor, clock, options.operationTimeout());
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
    this.ctx =
        new NodeContext(
            name,
            nodeId,
            keys,
            new WindowCalendar(zone),
            time,
            executor,
            queue,
            io,
            cache,
            casLoop,
            reachability,
            new NodeJournal(ledger, nodeId, time),
            new OwnEscrow());
    this.uncertain = new UncertainGrants(ctx);
    this.settlements = new Settlements(ctx, uncertain, this::isClosed);
    // A grant found committed after its answer was lost opens a set nobody holds: settled back.
    uncertain.settleBackThrough(settlements);
    this.grants = new Grants(ctx, uncertain, policy, observer, clock, options, this::isClosed);
    this.tick = new BackgroundTick(ctx, uncertain, settlements, keyWatch, liveness, this::isClosed);
    this.view = new SiteView(ctx);
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
   * {@code open} waits up to {@code grant_ttl} + {@link NodeClaim#CLAIM_MARGIN} (at least the
   * operation timeout) for its lease to expire, and refuses to open if it does not; see {@link
   * NodeClaim}.
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

  /** The start's steps, in order; then the background tick begins. */
  private void start() throws IOException {
    StartWaits waits = new StartWaits(name, options);
    EtcdIo.Listing listing = waits.firstListing(ctx.io(), ctx.keys());
    keyWatch.start(listing);
    new NodeClaim(name, nodeId, options, liveness, waits).claim();
    StrandedReport report =
        new StartRecovery(ctx, waits, options.operationTimeout()).run(listing.keys());
    this.stranded = report;
    tick.start();
    log.info(
        "budget store {} opened as node {}: {} escrow sets of an earlier run stranded ({} bytes)",
        name,
        nodeId,
        report.sets(),
        report.bytes());
  }

  private boolean isClosed() {
    return closed;
  }

  // ---------------------------------------------------------------- BudgetStore

  @Override
  public CompletableFuture<GrantResult> grant(GrantRequest request) {
    Objects.requireNonNull(request, "request");
    return grants.grant(request);
  }

  @Override
  public CompletableFuture<Void> settle(Settlement settlement) {
    Objects.requireNonNull(settlement, "settlement");
    return settlements.settle(settlement);
  }

  @Override
  public Usage usage(BudgetNode node, Window window) {
    return view.usage(node, window);
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

  /**
   * See {@link BudgetStore#retree}. The counters are etcd keys named by node id, and a grant reads
   * every cap from the path of its request, so nothing moves: only {@link #tree()} answers {@code
   * next} from now on.
   */
  @Override
  public void retree(BudgetTree next) {
    tree = Objects.requireNonNull(next, "next");
  }

  /** Escrow sets of an earlier run of this node id found unsettled at start. */
  public StrandedReport stranded() {
    return stranded;
  }

  /** This node's open escrow sets, as it knows them. */
  public List<OpenSet> openSets() {
    return ctx.escrow().sets();
  }

  /**
   * Since when (epoch ms) etcd has been known to be unreachable, or -1 while its calls are
   * answered. Read by the alerts ("store unavailable").
   */
  public long unreachableSinceMillis() {
    Reachability.Down d = reachability.down();
    return d == null ? -1 : d.sinceMillis();
  }

  /** Why etcd is unreachable ({@code etcd unreachable since ...}), or {@code etcd reachable}. */
  public String reachabilityText() {
    return reachability.describe();
  }

  /**
   * The claims by which one gateway node of the fleet raises a fleet-wide alert (on this store's
   * connection, with its operation deadline).
   */
  public EtcdAlertClaims alertClaims() {
    return new EtcdAlertClaims(client, ctx.keys(), nodeId, options.operationTimeout());
  }

  /** This node's counters. */
  public EtcdStoreStats stats() {
    StrandedReport s = stranded;
    return new EtcdStoreStats(
        grants.issued(),
        ctx.casLoop().conflicts(),
        settlements.pendingCount(),
        uncertain.count(),
        s.sets(),
        s.bytes(),
        ctx.journal().owedCount());
  }

  /**
   * Every gateway node that is live or holds escrow, by node id, as this node's copy of the keys
   * shows them (it lags etcd by the watch's delay).
   */
  public List<NodeEscrow> nodes() {
    return view.nodes();
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
      ctx.queue()
          .submit(() -> CompletableFuture.completedFuture(null))
          .get(2 * options.operationTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("{}: queued etcd operations did not finish before close: {}", name, e.toString());
    }
    int left = settlements.pendingCount();
    if (left > 0) {
      log.warn(
          "{}: {} settlements never reached etcd; their bytes stay counted as spent and their sets"
              + " are recorded as stranded at the next start",
          name,
          left);
    }
    int owed = ctx.journal().owedCount();
    if (owed > 0) {
      log.error(
          "{}: {} budget entries of transactions committed in etcd never reached the ledger (it"
              + " was not writable); `sluice ledger reconcile` names their sets",
          name,
          owed);
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
}
