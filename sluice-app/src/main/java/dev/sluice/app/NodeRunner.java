package dev.sluice.app;

import dev.sluice.admin.ChangeGate;
import dev.sluice.admin.ConfigSwap;
import dev.sluice.config.AdminConfig;
import dev.sluice.config.ListenerConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.change.ChangeEntries;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.net.HostPort;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link SluiceNode} at a time and applies approved reloads by replacing it, in process:
 * the running node drains (in-flight streams finish until the drain timeout, then are cut) and
 * closes (escrow returned, budget snapshot and final checkpoint written), and a node is started
 * from the new configuration on the same data directory and store, so every budget carries over
 * from the ledger and the store exactly as across a restart. No byte leaves between the two: the
 * swap fails closed. Listeners and the admin API bound to port 0 keep the port they had.
 *
 * <p>If the new node cannot start (a port taken, a codec model missing), the previous configuration
 * is started again and a CHANGE refusal says why; if even that fails, the process has no node and
 * {@link #stopped()} completes. A reload is applied on a thread of its own, because the admin
 * request that asked for it is answered by the node being replaced. Thread-safe.
 */
public final class NodeRunner implements ConfigSwap, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NodeRunner.class);

  private final Clock clock;
  private final Duration drain;
  private final Consumer<SluiceNode> started;
  private final ExecutorService swapper;
  private final java.util.concurrent.CompletableFuture<Void> stopped =
      new java.util.concurrent.CompletableFuture<>();
  private volatile SluiceNode node;
  private boolean closed;

  /**
   * @param drain how long in-flight streams may finish when a node is replaced or closed
   * @param started told of every node started (the first and each reload's)
   */
  public NodeRunner(Clock clock, Duration drain, Consumer<SluiceNode> started) {
    this.clock = clock;
    this.drain = drain;
    this.started = started;
    this.swapper =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-reload");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts the first node. */
  public synchronized SluiceNode start(SluiceConfig config) throws NodeStartException {
    node = SluiceNode.start(config, clock, this);
    started.accept(node);
    return node;
  }

  /** The node running now (null after close, during a swap or after a failed one). */
  public SluiceNode node() {
    return node;
  }

  /** Completes when the process has no node any more (closed, or a swap failed twice). */
  public java.util.concurrent.CompletableFuture<Void> stopped() {
    return stopped;
  }

  @Override
  public void apply(SluiceConfig next, LedgerEntry application) {
    swapper.execute(() -> swap(next, application));
  }

  @Override
  public SluiceConfig asRun(SluiceConfig c) {
    SluiceNode n = node;
    return n == null ? c : pin(c, n);
  }

  /**
   * SIGHUP: checks and applies the file the node was started with, as {@code sluice reload} would
   * without approvals (a loosening is refused and ledgered; use {@code sluice reload --approval}).
   */
  public void reloadFile(Path file) {
    SluiceNode n = node();
    if (n == null) {
      return;
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.error("SIGHUP: cannot read {}: {}; the running configuration stays", file, e.toString());
      return;
    }
    ChangeGate.Outcome o =
        new ChangeGate(n.config(), n.ledger(), clock, this)
            .reload(file.toString(), text, List.of());
    if (o.accepted()) {
      log.info("SIGHUP: {}", o.message());
    } else {
      log.error(
          "SIGHUP: reload of {} refused: {} {} {}; the running configuration stays",
          file,
          o.message(),
          o.loosens(),
          o.details());
    }
  }

  private synchronized void swap(SluiceConfig next, LedgerEntry application) {
    if (closed || node == null) {
      return;
    }
    SluiceNode old = node;
    SluiceConfig previous = pin(old.config(), old);
    SluiceConfig pinned = pin(next, old);
    log.info("reload: replacing configuration {} with {}", previous.sha256Hex(), next.sha256Hex());
    old.close(drain);
    node = null;
    try {
      node = SluiceNode.start(pinned, clock, this);
      // Stamped now: the application happened when the new node runs, not when it was approved.
      node.ledger()
          .append(LedgerEntry.of(application.type(), clock.millis(), application.fields()))
          .join();
      log.info("reload: configuration {} applied", next.sha256Hex());
    } catch (NodeStartException | RuntimeException e) {
      log.error(
          "reload: the new configuration did not start: {}; starting the previous", e.getMessage());
      if (node != null) {
        node.close(Duration.ZERO);
        node = null;
      }
      try {
        node = SluiceNode.start(previous, clock, this);
        node.ledger()
            .append(
                ChangeEntries.refusal(
                    clock.millis(),
                    ChangeApproval.KIND_CONFIG,
                    previous.sha256Hex(),
                    next.sha256Hex(),
                    "the new configuration did not start; the previous one runs again",
                    List.of(String.valueOf(e.getMessage()))))
            .join();
      } catch (NodeStartException | RuntimeException again) {
        log.error(
            "reload: the previous configuration did not start either: {}", again.getMessage());
        stopped.complete(null);
        return;
      }
    }
    started.accept(node);
  }

  /**
   * {@code c} with each port-0 bind that {@code running} also has (the admin API, a listener of the
   * same name on the same host) replaced by the port {@code running} is bound to.
   */
  static SluiceConfig pin(SluiceConfig c, SluiceNode running) {
    Map<String, InetSocketAddress> bound = running.gateway().addresses();
    List<ListenerConfig> listeners = new ArrayList<>();
    for (ListenerConfig l : c.listeners()) {
      ListenerConfig was = running.config().listener(l.name());
      InetSocketAddress at = bound.get(l.name());
      // Port 0 means "any port": the one bound now is as good, and keeps clients' address.
      if (l.bind().port() == 0
          && was != null
          && was.bind().host().equals(l.bind().host())
          && at != null) {
        l =
            new ListenerConfig(
                l.name(),
                l.mode(),
                new HostPort(l.bind().host(), at.getPort()),
                l.upstreams(),
                l.zone(),
                l.tenantHeader(),
                l.tenantsBySource(),
                l.egress(),
                l.tls(),
                l.forward(),
                l.peer(),
                l.limits());
      }
      listeners.add(l);
    }
    AdminConfig a = c.admin();
    if (a.bind().port() == 0) {
      a =
          new AdminConfig(
              new HostPort(a.bind().host(), running.admin().address().getPort()),
              a.requestTimeout(),
              a.idleTimeout(),
              a.maxConnectionsPerSource(),
              a.tls(),
              a.plaintextOnNetwork());
    }
    return new SluiceConfig(
        c.site(),
        c.model(),
        c.timeZone(),
        c.mode(),
        c.dataDir(),
        c.budgets(),
        listeners,
        a,
        c.store(),
        c.ledger(),
        c.escrow(),
        c.sourceName(),
        c.sha256Hex(),
        c.codec(),
        c.alerts(),
        c.changeControl(),
        c.detection());
  }

  /** Closes the running node, draining for the drain timeout. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    swapper.shutdownNow();
    if (node != null) {
      node.close(drain);
      node = null;
    }
    stopped.complete(null);
  }
}
