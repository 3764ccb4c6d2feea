package dev.sluice.alert;

import dev.sluice.cluster.EtcdBudgetStore;
import dev.sluice.config.AlertsConfig;
import dev.sluice.store.BudgetReport;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alerts of a running node: evaluates the conditions ({@link BudgetConditions}, {@link
 * RateConditions}, {@link IncompressibleConditions}, {@link HealthConditions}) every {@code
 * alerts.interval} of the injected clock, turns them into changes ({@link AlertBook}), records each
 * change ({@link AlertRecords}: log line and {@code ALERT} ledger entry) and queues one
 * notification per {@code alertname} and evaluation for every webhook ({@link WebhookPayload},
 * {@link WebhookQueue}).
 *
 * <p>Threads: {@link #start} runs two daemon threads, one that evaluates when the clock says an
 * interval has passed (checked every {@link #TICK_MILLIS} ms) and one that delivers, so a slow
 * receiver never delays an evaluation, and neither ever runs on a data-plane thread. Tests do not
 * start them: they move a manual clock and call {@link #evaluate} and {@link #deliverDue}.
 *
 * <p>Crash guarantees: the state is rebuilt at start from the ledger's {@code ALERT} entries (see
 * {@link #create}), so a threshold that fired before a restart does not fire again in the same
 * period. A notification queued but not delivered before a crash is lost (the ledger entry stays);
 * alerts still firing after the restart are not sent again, and their resolution is.
 */
public final class Alerting implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Alerting.class);

  /** How often the threads look at the clock and the queues, in real milliseconds. */
  static final long TICK_MILLIS = 50;

  private final AlertInputs in;
  private final AlertsConfig config;
  private final AlertBook book = new AlertBook();
  private final RateConditions rate;
  private final IncompressibleConditions incompressible;
  private final FleetThresholds fleet;
  private final List<WebhookQueue> webhooks = new ArrayList<>();
  private final Map<String, String> base;
  private final java.util.concurrent.atomic.AtomicLong evaluations =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile String externalUrl;
  private long lastEvalNanos;
  private boolean evaluated;
  private ScheduledExecutorService evaluator;
  private ScheduledExecutorService deliverer;

  private Alerting(AlertInputs in) {
    this.in = in;
    this.config = in.config().alerts();
    this.rate = new RateConditions(config.rate());
    this.incompressible = new IncompressibleConditions(config.incompressible());
    this.fleet = new FleetThresholds(in.cluster().map(EtcdBudgetStore::alertClaims).orElse(null));
    for (AlertsConfig.Webhook h : config.webhooks()) {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(h.timeout())
              .followRedirects(HttpClient.Redirect.NEVER)
              .build();
      webhooks.add(new WebhookQueue(h, client, in.clock(), config));
    }
    Map<String, String> b = new LinkedHashMap<>();
    b.put("site", in.config().site());
    if (in.config().store().nodeId() != null) {
      b.put("gateway_node", in.config().store().nodeId());
    }
    this.base = Map.copyOf(b);
    this.externalUrl =
        config.externalUrl() == null ? "http://localhost/" : config.externalUrl().toString();
  }

  /**
   * The alerts of the node {@code in} describes, their state rebuilt from the {@code ALERT} entries
   * of the ledger in {@code data_dir} (a full read of the ledger, once, at start).
   *
   * @throws IOException if the ledger cannot be read
   */
  public static Alerting create(AlertInputs in) throws IOException {
    Alerting a = new Alerting(Objects.requireNonNull(in, "in"));
    long n = AlertRecords.restore(in.config().dataDir(), a.book);
    if (n > 0) {
      log.info(
          "alerts: {} ALERT entries replayed from the ledger, {} alerts firing",
          n,
          a.book.firing().size());
    }
    return a;
  }

  /**
   * Starts evaluating and delivering. {@code adminUrl} (e.g. {@code http://127.0.0.1:9901}) is the
   * {@code externalURL} unless {@code alerts.external_url} is set.
   */
  public synchronized Alerting start(String adminUrl) {
    if (evaluator != null) {
      throw new IllegalStateException("alerts already started");
    }
    if (config.externalUrl() == null && adminUrl != null) {
      externalUrl = adminUrl;
    }
    evaluator = Executors.newSingleThreadScheduledExecutor(daemon("sluice-alerts"));
    deliverer = Executors.newSingleThreadScheduledExecutor(daemon("sluice-alert-webhooks"));
    evaluator.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    deliverer.scheduleWithFixedDelay(this::deliverQuietly, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    log.info(
        "alerts: every {}, thresholds {}%, {} webhooks",
        dev.sluice.config.Durations.format(config.interval()),
        config.thresholdsPercent(),
        webhooks.size());
    return this;
  }

  /** Evaluates if an interval has passed on the clock since the last evaluation. */
  void tick() {
    long now = in.clock().nanos();
    synchronized (this) {
      if (evaluated && now - lastEvalNanos < config.interval().toNanos()) {
        return;
      }
    }
    evaluate();
  }

  /**
   * Evaluates every condition now and records and queues the changes; returns them. Never throws: a
   * failure is logged and the next evaluation tries again.
   */
  public synchronized List<Alert> evaluate() {
    long nanos = in.clock().nanos();
    long now = in.clock().millis();
    lastEvalNanos = nanos;
    evaluated = true;
    try {
      BudgetReport report = BudgetReport.of(in.tree(), in.store(), in.escrow());
      List<Condition> holding = new ArrayList<>();
      BudgetConditions.collect(
          report, config.thresholdsPercent(), BudgetConditions.refused(in.escrow()), base, holding);
      rate.collect(nanos, in.egressBytes().getAsLong(), report, base, holding);
      incompressible.collect(nanos, in.probe(), base, holding);
      HealthConditions.collect(in, now, base, holding);
      DetectionConditions.collect(in.detections(), now, base, holding);
      holding = fleet.raisedHere(holding, book::wouldFire, now);
      Map<String, Long> until = new HashMap<>();
      holding.forEach(c -> until.put(c.key(), c.stickyUntilMillis()));
      List<Alert> changes = book.apply(holding, now);
      for (Alert a : changes) {
        long u = a.status() == Alert.Status.FIRING ? until.getOrDefault(a.key(), -1L) : -1;
        AlertRecords.record(in.ledger(), a, u, now);
      }
      String url = externalUrl;
      WebhookPayload.groups(changes)
          .forEach(
              (name, alerts) -> {
                byte[] body = WebhookPayload.body(name, alerts, url);
                webhooks.forEach(w -> w.offer(body));
              });
      return changes;
    } catch (RuntimeException e) {
      log.error("alert evaluation failed; retrying at the next interval", e);
      return List.of();
    } finally {
      evaluations.incrementAndGet();
    }
  }

  /** Sends every notification that is due (the delivery thread's work). */
  public void deliverDue() {
    for (WebhookQueue w : webhooks) {
      w.deliverDue();
    }
  }

  private void deliverQuietly() {
    try {
      deliverDue();
    } catch (RuntimeException e) {
      log.error("alert delivery failed", e);
    }
  }

  /** Evaluations run so far (failed ones included). */
  public long evaluations() {
    return evaluations.get();
  }

  /** The alerts firing now, oldest first. */
  public List<Alert> firing() {
    return book.firing();
  }

  /** The last 100 changes, newest first. */
  public List<Alert> recent() {
    return book.recent();
  }

  /** Delivery counters of one webhook, for {@code /metrics}. */
  public record WebhookStats(
      String webhook, long delivered, long failed, long dropped, int queued) {}

  public List<WebhookStats> webhookStats() {
    return webhooks.stream()
        .map(w -> new WebhookStats(w.label(), w.delivered(), w.failed(), w.dropped(), w.queued()))
        .toList();
  }

  /** The names of every alert Sluice raises. */
  public static final List<String> NAMES =
      List.of(
          BudgetConditions.NAME,
          RateConditions.NAME,
          IncompressibleConditions.NAME,
          "SluiceHalted",
          "SluiceLedgerUnavailable",
          "SluiceStoreUnavailable",
          "SluiceEscrowStranded",
          "SluiceCheckpointStale");

  @Override
  public synchronized void close() {
    for (ScheduledExecutorService e : new ScheduledExecutorService[] {evaluator, deliverer}) {
      if (e != null) {
        e.shutdownNow();
      }
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
