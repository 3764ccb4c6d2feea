package dev.sluice.gateway.evidence;

import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.time.Clock;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the data plane decided: a {@code deny} ledger entry and a metric for every refusal,
 * and at every connection close one {@code connection} ledger entry and one canonical log line
 * (logger {@code sluice.connection}) with the same fields:
 *
 * <pre>
 * listener=api zone=inference tenant=acme destination=- client=127.0.0.1:51234 bytes_in=312
 *   bytes_out=5120 charged=5120 control=0 would_deny=0 requests=2 decision=allow reason=ok
 *   duration_ms=41
 * </pre>
 *
 * <p>The line is one line of printable ASCII: fields in this order, separated by one space, each
 * {@code key=value}. Every value goes through {@link LogValue#of}: a value of printable ASCII
 * without space, {@code "}, {@code \} or {@code =} is written bare; any other value (a host with
 * ESC or NUL, a tenant with a space, an empty string) in double quotes, with {@code "}, {@code \},
 * {@code }, {@code }, {@code } and {@code \}{@code uXXXX} for every other character outside {@code
 * 0x20..0x7e}: {@code destination="evil\}{@code u001b[2J.example:80"}. {@code -} is "none". The
 * ledger entry holds the same values unescaped (its encoding is length-prefixed). The line is
 * logged as one {@link LogFields} argument, which renders it, and from which the app's JSON log
 * backend takes the same fields unescaped, numbers as numbers ({@code logging.format: json}).
 *
 * <p>Appends do not wait for durability (connection summaries may be batched by the ledger's group
 * commit); grants, which must be durable first, go through the budget store. Thread-safe.
 */
public final class Evidence {

  private static final Logger log = LoggerFactory.getLogger("sluice.connection");

  private final Ledger ledger;
  private final Clock clock;
  private final GatewayStats stats;

  public Evidence(Ledger ledger, Clock clock, GatewayStats stats) {
    this.ledger = ledger;
    this.clock = clock;
    this.stats = stats;
  }

  public Clock clock() {
    return clock;
  }

  public GatewayStats stats() {
    return stats;
  }

  /** Records a refusal on the connection of {@code rec}. */
  public void denied(ConnectionRecord rec, String tenant, Refusal r) {
    LedgerEntry.Builder e = deny(rec, tenant, r.reason());
    if (r.denial() != null) {
      e.put("node", r.denial().nodeId())
          .put("window", r.denial().window().label())
          .put("resets_at", r.denial().resetsAtMillis());
    }
    if (r.detail() != null) {
      e.put("detail", r.detail());
    }
    append(e.build());
  }

  /**
   * Records a refusal by policy rather than budget (an unknown tenant, a destination that is not
   * allowed, a malformed request): a {@code deny} entry with {@code reason} and, if not null,
   * {@code detail}.
   */
  public void denied(ConnectionRecord rec, String tenant, Reason reason, String detail) {
    LedgerEntry.Builder e = deny(rec, tenant, reason);
    if (detail != null) {
      e.put("detail", detail);
    }
    append(e.build());
  }

  private LedgerEntry.Builder deny(ConnectionRecord rec, String tenant, Reason reason) {
    stats.denied(reason);
    return LedgerEntry.builder(EntryType.DENY, clock.millis())
        .put("listener", rec.listener)
        .put("zone", rec.zone)
        .put("tenant", tenant == null ? "-" : tenant)
        .put("destination", rec.destination().isEmpty() ? "-" : rec.destination())
        .put("client", rec.client)
        .put("reason", reason.label());
  }

  /**
   * Report mode: records that a cap would have refused bytes that were let through (once per
   * connection), as a {@code deny} entry with {@code would_deny} set.
   */
  public void wouldDeny(ConnectionRecord rec, String tenant, Refusal r) {
    stats.denied(Reason.WOULD_DENY);
    LedgerEntry.Builder e =
        LedgerEntry.builder(EntryType.DENY, clock.millis())
            .put("listener", rec.listener)
            .put("zone", rec.zone)
            .put("tenant", tenant == null ? "-" : tenant)
            .put("destination", rec.destination().isEmpty() ? "-" : rec.destination())
            .put("client", rec.client)
            .put("reason", r.label())
            .put("would_deny", 1L);
    if (r.denial() != null) {
      e.put("node", r.denial().nodeId()).put("window", r.denial().window().label());
    }
    append(e.build());
  }

  /**
   * Records a finding of the scan stage on the connection of {@code rec}: a {@code detection}
   * ledger entry with the connection's fields, then {@code fields} (kind, action, offsets, match).
   * The future completes once the entry is durable, or could not be written (then logged as lost):
   * a blocking scan stage closes the connection only after it, so a cut is never seen before its
   * evidence is on disk.
   */
  public CompletableFuture<Long> detected(
      ConnectionRecord rec, java.util.function.Consumer<LedgerEntry.Builder> fields) {
    LedgerEntry.Builder e =
        LedgerEntry.builder(EntryType.DETECTION, clock.millis())
            .put("listener", rec.listener)
            .put("zone", rec.zone)
            .put("tenant", rec.tenants())
            .put("destination", rec.destination().isEmpty() ? "-" : rec.destination())
            .put("client", rec.client);
    fields.accept(e);
    return append(e.build());
  }

  /** Records the end of a connection: ledger entry and log line. */
  public void closed(ConnectionRecord rec) {
    long durationMs = (clock.nanos() - rec.startNanos) / 1_000_000;
    String decision = rec.decision().name().toLowerCase(Locale.ROOT);
    append(
        LedgerEntry.builder(EntryType.CONNECTION, clock.millis())
            .put("listener", rec.listener)
            .put("zone", rec.zone)
            .put("tenant", rec.tenants())
            .put("destination", rec.destination().isEmpty() ? "-" : rec.destination())
            .put("client", rec.client)
            .put("bytes_in", rec.bytesIn())
            .put("bytes_out", rec.bytesOut())
            .put("charged", rec.charged())
            .put("control", rec.controlBytes())
            .put("would_deny", rec.wouldDenyBytes())
            .put("requests", rec.requests())
            .put("decision", decision)
            .put("reason", rec.reason())
            .put("started_at", rec.startMillis)
            .put("duration_ms", durationMs)
            .build());
    if (log.isInfoEnabled()) {
      String destination = rec.destination().isEmpty() ? "-" : rec.destination();
      // One argument that renders as the key=value line; the JSON backend takes its fields.
      log.info(
          "{}",
          LogFields.of(
              "listener", rec.listener,
              "zone", rec.zone,
              "tenant", rec.tenants(),
              "destination", destination,
              "client", rec.client,
              "bytes_in", rec.bytesIn(),
              "bytes_out", rec.bytesOut(),
              "charged", rec.charged(),
              "control", rec.controlBytes(),
              "would_deny", rec.wouldDenyBytes(),
              "requests", rec.requests(),
              "decision", decision,
              "reason", rec.reason(),
              "duration_ms", durationMs));
    }
  }

  /** Queues {@code e}; the future completes once it is durable, or with -1 once it was lost. */
  private CompletableFuture<Long> append(LedgerEntry e) {
    try {
      return ledger.append(e).exceptionally(err -> logLost(e, err));
    } catch (RuntimeException err) {
      return CompletableFuture.completedFuture(logLost(e, err));
    }
  }

  private Long logLost(LedgerEntry e, Throwable err) {
    log.error(
        "ledger entry not recorded ({}): {}",
        LogValue.of(err.toString()),
        LogValue.of(e.toString()));
    return -1L;
  }
}
