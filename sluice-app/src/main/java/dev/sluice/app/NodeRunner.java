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
 * Runs one {@link SluiceNode} and applies approved reloads to it in place ({@link
 * SluiceNode#reconfigure}): the ledger, the budget store and the escrow stay open, listeners whose
 * address is kept keep their socket, in-flight streams go on and pay the new tree from their next
 * refill. Listeners and the admin API bound to port 0 keep the port they had.
 *
 * <p>If the new configuration cannot be applied (a port taken, a codec model missing), nothing of
 * it is in force, the running configuration stays, and a CHANGE refusal says why. A reload is
 * applied on a thread of its own, because the admin request that asked for it is answered by the
 * admin server the reload replaces. Thread-safe.
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
   * @param drain how long in-flight streams may finish when the node closes, or when a reload
   *     removes or changes their listener
   * @param started told of the node when it starts and after each reload applied
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

  /** The node running now (null after close). */
  public SluiceNode node() {
    return node;
  }

  /** Completes when the process has no node any more (closed). */
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
    SluiceNode n = node;
    SluiceConfig pinned = pin(next, n);
    String before = n.config().sha256Hex();
    try {
      n.reconfigure(pinned, drain);
    } catch (NodeStartException | RuntimeException e) {
      log.error(
          "reload: configuration {} not applied: {}; {} stays",
          next.sha256Hex(),
          e.getMessage(),
          before);
      try {
        n.ledger()
            .append(
                ChangeEntries.refusal(
                    clock.millis(),
                    ChangeApproval.KIND_CONFIG,
                    before,
                    next.sha256Hex(),
                    "the new configuration could not be applied; the running one stays in force",
                    List.of(String.valueOf(e.getMessage()))))
            .join();
      } catch (RuntimeException again) {
        log.error("reload: the refusal was not ledgered: {}", again.toString());
      }
      return;
    }
    try {
      // Stamped now: the application happened when the new configuration runs, not when approved.
      n.ledger()
          .append(LedgerEntry.of(application.type(), clock.millis(), application.fields()))
          .join();
    } catch (RuntimeException e) {
      log.error("reload: the CHANGE application entry was not ledgered: {}", e.toString());
    }
    log.info("reload: configuration {} applied", next.sha256Hex());
    started.accept(n);
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
        l = l.withPort(at.getPort());
      }
      listeners.add(l);
    }
    AdminConfig a = c.admin();
    if (a.bind().port() == 0 && running.admin() != null) {
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
        c.detection(),
        c.logging());
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
