package dev.sluice.admin;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.config.Mode;
import dev.sluice.net.HostPort;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server of a running node, bound to {@code admin.bind} (loopback by default):
 *
 * <ul>
 *   <li>{@code GET /healthz}, {@code GET /readyz} ({@link HealthEndpoints});
 *   <li>{@code GET /api/budgets} ({@link BudgetsJson});
 *   <li>{@code GET /metrics} in the Prometheus text format ({@link AdminMetrics});
 *   <li>{@code POST /api/halt}, {@code POST /api/resume}, authenticated with the {@link AdminToken}
 *       written at start ({@link HaltEndpoints}, {@link HaltControl}).
 * </ul>
 *
 * <p>Control plane only: it reads the data plane's counters and switches, never the other way
 * round, and runs on its own small thread pool. Usage: {@code new AdminServer(ctx).start()}, then
 * {@link #address()} (the bound address, useful with port 0) and {@link #stop()}. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** Threads answering admin requests; a halt waiting for the ledger holds one. */
  static final int HANDLER_THREADS = 4;

  /** How long {@link #stop()} waits for requests in progress. */
  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private final AdminContext ctx;
  private final Duration sampleInterval;
  private final EgressRate egressRate;
  private final SecureRandom random;

  private HttpServer server;
  private ExecutorService handlers;
  private ScheduledExecutorService sampler;
  private AdminToken token;

  /** A server that samples the egress rate every {@link EgressRate#SAMPLE_INTERVAL}. */
  public AdminServer(AdminContext ctx) {
    this(ctx, EgressRate.SAMPLE_INTERVAL);
  }

  /**
   * A server that samples the egress rate once at start and then every {@code sampleInterval}.
   * Tests pass a long interval and call {@code egressRate().sample()} after moving their clock.
   */
  public AdminServer(AdminContext ctx, Duration sampleInterval) {
    this.ctx = Objects.requireNonNull(ctx, "ctx");
    if (sampleInterval.isNegative() || sampleInterval.isZero()) {
      throw new IllegalArgumentException("sampleInterval must be positive, got " + sampleInterval);
    }
    this.sampleInterval = sampleInterval;
    this.egressRate = new EgressRate(ctx.clock(), ctx.stats()::egressBytes, EgressRate.WINDOW);
    this.random = new SecureRandom();
  }

  /**
   * Writes a new admin token to {@code <data_dir>/admin.token} and starts serving.
   *
   * @throws IOException if the token cannot be written or the address cannot be bound
   * @throws IllegalStateException if already started
   */
  public synchronized AdminServer start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("the admin server is already started");
    }
    token = AdminToken.create(ctx.config().dataDir(), random);
    HostPort bind = ctx.config().admin().bind();
    HttpServer s;
    try {
      s = HttpServer.create(new InetSocketAddress(bind.host(), bind.port()), 0);
    } catch (BindException e) {
      throw new IOException("cannot bind the admin API to " + bind + ": " + e.getMessage(), e);
    }
    handlers = Executors.newFixedThreadPool(HANDLER_THREADS, daemon("sluice-admin-http-"));
    s.setExecutor(handlers);
    s.createContext("/", routes());
    s.start();
    server = s;
    egressRate.sample();
    sampler = Executors.newSingleThreadScheduledExecutor(daemon("sluice-admin-sampler-"));
    long every = sampleInterval.toMillis();
    sampler.scheduleAtFixedRate(egressRate::sample, every, every, TimeUnit.MILLISECONDS);
    log.info("admin API on http://{}; admin token in {}", hostPort(address()), token.file());
    if (ctx.config().mode() == Mode.REPORT) {
      log.warn(
          "REPORT MODE: budgets are NOT enforced; over-budget bytes leave and are only recorded"
              + " as would_deny (sluice_mode{mode=\"report\"} is 1)");
    }
    return this;
  }

  /** The bound address (the real port when {@code admin.bind} has port 0). */
  public synchronized InetSocketAddress address() {
    if (server == null) {
      throw new IllegalStateException("the admin server is not running");
    }
    return server.getAddress();
  }

  /** The token file written at start. */
  public synchronized Path tokenFile() {
    if (token == null) {
      throw new IllegalStateException("the admin server has not started");
    }
    return token.file();
  }

  /** The egress rate behind the exfiltration-at-current-rate figure. */
  public EgressRate egressRate() {
    return egressRate;
  }

  /**
   * Stops accepting requests, waits up to {@link #STOP_GRACE} for those in progress, and stops the
   * sampler. Idempotent. The token file stays; the next start replaces it.
   */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.stop(0);
    server = null;
    sampler.shutdownNow();
    handlers.shutdown();
    try {
      if (!handlers.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        handlers.shutdownNow();
      }
    } catch (InterruptedException e) {
      handlers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  private Router routes() {
    HealthEndpoints health = new HealthEndpoints(ctx.listenersBound(), ctx.ledger());
    HaltEndpoints halt =
        new HaltEndpoints(
            new BearerAuth(token),
            new HaltControl(ctx.halts(), ctx.ledger(), ctx.clock()),
            ctx.halts(),
            ctx.tree().zones());
    AdminMetrics metrics = new AdminMetrics(ctx, egressRate);
    return new Router()
        .on("GET", "/healthz", health::healthz)
        .on("GET", "/readyz", health::readyz)
        .on("GET", "/api/budgets", ex -> Replies.json(ex, 200, BudgetsJson.of(ctx)))
        .on("POST", "/api/halt", halt::halt)
        .on("POST", "/api/resume", halt::resume)
        .on("GET", "/metrics", metrics::serve);
  }

  /** {@code host:port} of a bound address, IPv6 in brackets. */
  static String hostPort(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
