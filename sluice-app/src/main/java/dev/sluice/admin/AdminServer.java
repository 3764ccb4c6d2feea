package dev.sluice.admin;

import dev.sluice.config.AdminConfig;
import dev.sluice.config.Mode;
import dev.sluice.gateway.listener.ServerTls;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.net.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server of a running node, bound to {@code admin.bind} (loopback by default), over
 * HTTPS only when {@code admin.tls} is set (a non-loopback bind without it needs {@code
 * admin.plaintext_on_network}, see {@link AdminConfig}):
 *
 * <ul>
 *   <li>{@code GET /healthz}, {@code GET /readyz} ({@link HealthEndpoints});
 *   <li>{@code GET /api/budgets} ({@link BudgetsJson});
 *   <li>{@code GET /} and its files, the read-only dashboard ({@link DashboardFiles}), and the JSON
 *       it reads besides {@code /api/budgets}, each with the admin token: {@code GET /api/rates},
 *       {@code /api/exfiltration}, {@code /api/checkpoint} ({@link DashboardJson}) and {@code GET
 *       /api/events} ({@link LedgerEvents});
 *   <li>{@code GET /api/alerts} ({@link AlertsJson}; 404 without an {@code alerts} section);
 *   <li>{@code GET /metrics} in the Prometheus text format ({@link AdminMetrics});
 *   <li>{@code POST /api/halt}, {@code POST /api/resume}, authenticated with the {@link AdminToken}
 *       written at start ({@link HaltEndpoints}, {@link HaltControl}); with {@code change_control}
 *       lifting a halt needs approvals ({@link ChangeGate});
 *   <li>{@code GET /api/config} and {@code POST /api/reload} ({@link ChangeEndpoints}).
 * </ul>
 *
 * <p>Control plane only: it reads the data plane's counters and switches, never the other way
 * round. Never starved (issue 15): connections are read by one Netty event loop of its own, so an
 * idle or trickling connection holds no thread; a request reaches an endpoint only when it has
 * arrived whole, within {@code admin.request_timeout}; idle connections close after {@code
 * admin.idle_timeout}; one source address holds at most {@code admin.max_connections_per_source};
 * and halt and resume run on threads of their own, never queued behind other endpoints. With TLS
 * the handshake sits after the timeouts, so a slow handshake is bounded by the request timeout, and
 * a connection that does not speak TLS is closed at its first bytes. Usage: {@code new
 * AdminServer(ctx).start()}, then {@link #address()} (the bound address, useful with port 0) and
 * {@link #stop()}. Thread-safe.
 *
 * <p>A reload applied in place ({@link #reconfigure}) swaps the configuration the endpoints serve
 * on the running server: the socket, the event loop, every open connection and the admin token
 * stay, so a client's kept-alive connection goes on. (Closing the server and binding a new one on
 * the same port, as before, refused connections for that moment and, once under load, left a
 * client's kept-alive request unanswered until it gave up; see decision 0022.)
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** Threads answering read-only admin requests (whole requests only, never a socket read). */
  static final int HANDLER_THREADS = 4;

  /** Threads answering halt and resume; one waiting for the ledger holds one. */
  static final int CONTROL_THREADS = 2;

  /** The paths answered on the control threads. */
  static final Set<String> CONTROL_PATHS = Set.of("/api/halt", "/api/resume", "/api/reload");

  /** How long {@link #stop()} waits for requests in progress. */
  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  // Replaced together by reconfigure (under this); read by the endpoints without the lock.
  private volatile AdminContext ctx;
  private volatile RateHistory rates;
  private volatile Router router;
  private final Duration sampleInterval;
  private final EgressRate egressRate;
  private final DashboardFiles dashboard;
  private final SecureRandom random;
  private final HaltControl haltControl;

  private EventLoopGroup loop;
  private Channel server;
  private AdminConnections connections;
  private ChannelGroup children;
  private ExecutorService handlers;
  private ExecutorService control;
  private ScheduledExecutorService sampler;
  private AdminToken token;

  /** A server that samples the egress rate every {@link EgressRate#SAMPLE_INTERVAL}. */
  public AdminServer(AdminContext ctx) {
    this(ctx, EgressRate.SAMPLE_INTERVAL);
  }

  /**
   * A server that samples the egress rate once at start and then every {@code sampleInterval}, and
   * the dashboard's rate history every {@link RateHistory#STEP} or {@code sampleInterval},
   * whichever is longer. Tests pass a long interval and call {@code egressRate().sample()} and
   * {@code rates().sample()} after moving their clock.
   */
  public AdminServer(AdminContext ctx, Duration sampleInterval) {
    this.ctx = Objects.requireNonNull(ctx, "ctx");
    if (sampleInterval.isNegative() || sampleInterval.isZero()) {
      throw new IllegalArgumentException("sampleInterval must be positive, got " + sampleInterval);
    }
    this.sampleInterval = sampleInterval;
    this.egressRate = new EgressRate(ctx.clock(), ctx.stats()::egressBytes, EgressRate.WINDOW);
    this.rates = new RateHistory(ctx.clock(), ctx.tree(), ctx.store(), ctx.escrow());
    this.dashboard = new DashboardFiles(); // read from the jar now: a broken jar fails here
    this.random = new SecureRandom();
    this.haltControl =
        new HaltControl(
            ctx.halts(), ctx.ledger(), ctx.clock(), ctx.fleet(), HaltControl.LEDGER_TIMEOUT);
  }

  /**
   * Writes a new admin token to {@code <data_dir>/admin.token} and starts serving.
   *
   * @throws IOException if the token cannot be written or the address cannot be bound
   * @throws IllegalStateException if already started
   */
  public synchronized AdminServer start() throws IOException {
    return start(null);
  }

  /**
   * As {@link #start()}, keeping {@code kept} (the token of the admin server this one replaces at a
   * reload applied in place, so clients holding it go on) instead of writing a new one; null writes
   * a new one.
   */
  public synchronized AdminServer start(AdminToken kept) throws IOException {
    if (server != null) {
      throw new IllegalStateException("the admin server is already started");
    }
    AdminConfig admin = ctx.config().admin();
    SslContext tls = tls(admin);
    token = kept != null ? kept : AdminToken.create(ctx.config().dataDir(), random);
    HostPort bind = admin.bind();
    connections = new AdminConnections(admin.maxConnectionsPerSource());
    children = new DefaultChannelGroup("sluice-admin", GlobalEventExecutor.INSTANCE);
    handlers = Executors.newFixedThreadPool(HANDLER_THREADS, daemon("sluice-admin-http-"));
    control = Executors.newFixedThreadPool(CONTROL_THREADS, daemon("sluice-admin-control-"));
    router = routes();
    Transport transport = Transport.best();
    loop = transport.newGroup(1);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(loop)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    children.add(ch);
                    AdminTimeouts timeouts =
                        new AdminTimeouts(admin.requestTimeout(), admin.idleTimeout(), connections);
                    ch.pipeline().addLast(connections, timeouts);
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(RequestForm.MAX_BODY))
                        .addLast(
                            new AdminHttpHandler(
                                () -> router, AdminServer.this::executor, timeouts));
                  }
                });
    ChannelFuture f =
        b.bind(new InetSocketAddress(bind.host(), bind.port())).awaitUninterruptibly();
    if (!f.isSuccess()) {
      String why = String.valueOf(f.cause() == null ? "unknown error" : f.cause().getMessage());
      stopThreads();
      throw new IOException(
          "cannot bind the admin API to "
              + bind
              + ": "
              + why.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", ""),
          f.cause());
    }
    server = f.channel();
    // The fleet's halts: the first snapshot is applied before this returns (if etcd answers).
    ctx.fleet().watch(new FleetHaltSync(haltControl, ctx.tree().zones()));
    egressRate.sample();
    sampler = Executors.newSingleThreadScheduledExecutor(daemon("sluice-admin-sampler-"));
    long every = sampleInterval.toMillis();
    sampler.scheduleAtFixedRate(egressRate::sample, every, every, TimeUnit.MILLISECONDS);
    rates.sample();
    long step = Math.max(every, RateHistory.STEP.toMillis());
    sampler.scheduleAtFixedRate(this::sampleRates, step, step, TimeUnit.MILLISECONDS);
    log.info(
        "admin API on {}://{}; admin token in {}; request timeout {}, idle timeout {},"
            + " at most {} connections per source",
        tls == null ? "http" : "https",
        hostPort(address()),
        token.file(),
        admin.requestTimeout(),
        admin.idleTimeout(),
        admin.maxConnectionsPerSource());
    if (admin.exposed()) {
      log.warn(
          "ADMIN API EXPOSED: admin.bind {} is not a loopback address, and the admin API (halt"
              + " included) speaks plain HTTP without TLS (admin.plaintext_on_network: true): the"
              + " bearer token and every answer cross the network in clear; set admin.tls, or"
              + " bind it to loopback and reach it through SSH",
          bind);
    }
    warnIfReportMode();
    return this;
  }

  /** The server TLS context of {@code admin.tls}, or null for plain HTTP. */
  private static SslContext tls(AdminConfig admin) throws IOException {
    if (admin.tls() == null) {
      return null;
    }
    try {
      return ServerTls.context(admin.tls());
    } catch (SSLException e) {
      throw new IOException("admin.tls: " + e.getMessage(), e);
    }
  }

  /** One sample of the rate history; a failure is logged, and the next sample comes as usual. */
  private void sampleRates() {
    try {
      rates.sample();
    } catch (RuntimeException e) {
      log.warn("sampling the egress rate history failed; the chart misses this point", e);
    }
  }

  /** The bound address (the real port when {@code admin.bind} has port 0). */
  public synchronized InetSocketAddress address() {
    if (server == null) {
      throw new IllegalStateException("the admin server is not running");
    }
    return (InetSocketAddress) server.localAddress();
  }

  /** The token in force (null before the first start). */
  public synchronized AdminToken token() {
    return token;
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
   * Serves {@code next} from now on (a reload applied in place): the endpoints, the dashboard's
   * JSON, {@code /metrics} and the fleet's halt watch take the new configuration, tree, alerts and
   * approved transfers; the socket, the connections, the token and the egress-rate sampler stay.
   * The admin section itself ({@code admin.bind}, TLS, timeouts, the per-source cap) cannot change
   * without a restart (see {@code ConfigDiff}), so the running server's settings stay in force. The
   * dashboard's rate chart starts again, charting the new tree's nodes.
   *
   * @throws IllegalStateException if the server is not running
   */
  public synchronized void reconfigure(AdminContext next) {
    Objects.requireNonNull(next, "next");
    if (server == null) {
      throw new IllegalStateException("the admin server is not running");
    }
    RateHistory nextRates = new RateHistory(next.clock(), next.tree(), next.store(), next.escrow());
    nextRates.sample();
    ctx = next;
    rates = nextRates;
    router = routes();
    ctx.fleet().watch(new FleetHaltSync(haltControl, ctx.tree().zones()));
    warnIfReportMode();
  }

  private void warnIfReportMode() {
    if (ctx.config().mode() == Mode.REPORT) {
      log.warn(
          "REPORT MODE: budgets are NOT enforced; over-budget bytes leave and are only recorded"
              + " as would_deny (sluice_mode{mode=\"report\"} is 1)");
    }
  }

  /** The egress rate history behind the dashboard's chart ({@code GET /api/rates}). */
  public RateHistory rates() {
    return rates;
  }

  /**
   * Stops accepting requests, waits up to {@link #STOP_GRACE} for those in progress, and stops the
   * sampler. Idempotent. The token file stays; the next start replaces it.
   */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.close().awaitUninterruptibly();
    server = null;
    sampler.shutdownNow();
    stopThreads();
  }

  /**
   * Lets the requests in progress finish (up to {@link #STOP_GRACE}), closes every connection, then
   * stops the event loop. The connections are closed explicitly, while the loop still runs:
   * shutting the loop down was seen to leave an accepted connection open with nobody reading it.
   */
  private void stopThreads() {
    stopHandlers();
    children.close().awaitUninterruptibly(STOP_GRACE.toMillis());
    loop.shutdownGracefully(0, STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    loop.terminationFuture().awaitUninterruptibly(STOP_GRACE.toMillis());
  }

  private void stopHandlers() {
    for (ExecutorService e : new ExecutorService[] {handlers, control}) {
      e.shutdown();
    }
    try {
      for (ExecutorService e : new ExecutorService[] {handlers, control}) {
        if (!e.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          e.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      handlers.shutdownNow();
      control.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** The connections counters behind {@code sluice_admin_connections_*}. */
  AdminConnections connections() {
    return connections;
  }

  private Executor executor(String path) {
    return CONTROL_PATHS.contains(path) ? control : handlers;
  }

  @Override
  public void close() {
    stop();
  }

  private Router routes() {
    HealthEndpoints health = new HealthEndpoints(ctx.listenersBound(), ctx.ledger());
    BearerAuth auth = new BearerAuth(token);
    HaltEndpoints halt = new HaltEndpoints(auth, haltControl, ctx.halts(), ctx.tree().zones());
    ChangeGate gate = new ChangeGate(ctx.config(), ctx.ledger(), ctx.clock(), ctx.swap());
    ChangeEndpoints change =
        new ChangeEndpoints(auth, gate, ctx.config(), ctx.halts(), ctx.transfers(), ctx.clock());
    halt.gate(gate);
    AdminMetrics metrics = new AdminMetrics(ctx, egressRate, connections);
    LedgerEvents events = new LedgerEvents(ctx.config().dataDir());
    Router router =
        new Router()
            .on("GET", "/healthz", health::healthz)
            .on("GET", "/readyz", health::readyz)
            .on("GET", "/api/budgets", ex -> Replies.json(ex, 200, BudgetsJson.of(ctx, egressRate)))
            .on("GET", "/api/alerts", this::alerts)
            .on("POST", "/api/halt", halt::halt)
            .on("POST", "/api/resume", halt::resume)
            .on("GET", "/api/config", change::config)
            .on("POST", "/api/reload", change::reload)
            .on("POST", "/api/transfers", change::transfers)
            .on("GET", "/metrics", metrics::serve)
            .on(
                "GET",
                "/api/rates",
                authed(auth, ex -> json(ex, DashboardJson.rates(rates.snapshot()))))
            .on(
                "GET",
                "/api/exfiltration",
                authed(auth, ex -> json(ex, DashboardJson.exfiltration(ctx, egressRate))))
            .on(
                "GET",
                "/api/checkpoint",
                authed(auth, ex -> json(ex, DashboardJson.checkpoint(ctx))))
            .on("GET", "/api/events", authed(auth, events::serve));
    for (String path : dashboard.paths()) {
      router.on("GET", path, dashboard::serve);
    }
    return router;
  }

  /** {@code endpoint} behind the admin token: 401 without it, 403 with another. */
  private static Router.Endpoint authed(BearerAuth auth, Router.Endpoint endpoint) {
    return ex -> {
      auth.require(ex);
      endpoint.handle(ex);
    };
  }

  private static void json(AdminExchange ex, com.fasterxml.jackson.databind.JsonNode body)
      throws IOException {
    Replies.json(ex, 200, body);
  }

  /** {@code GET /api/alerts}: {@link AlertsJson}, or 404 when the node has no alerts section. */
  private void alerts(AdminExchange ex) throws IOException {
    if (ctx.alerts() == null) {
      throw new ApiError(
          404, "not_found", "no alerts configured (the configuration has no alerts section)");
    }
    Replies.json(ex, 200, AlertsJson.of(ctx.alerts()));
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
