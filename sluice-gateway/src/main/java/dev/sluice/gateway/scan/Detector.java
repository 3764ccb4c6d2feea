package dev.sluice.gateway.scan;

import dev.sluice.config.DetectionConfig;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.evidence.Evidence;
import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.stats.DetectionStats;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detection of one listener: its zone's {@code detection} section (the zone's over the site's),
 * the fingerprint index loaded at start, and what a finding does. It makes the scan stages of the
 * listener's streams ({@link #stage}, {@link #session}) and records each finding ({@link #report}):
 * a {@code detection} ledger entry, {@code sluice_detections_total} and the newest finding for the
 * {@code SluiceWeightsDetected} alert, and a warning log line. Immutable and shared by the
 * listener's event loops.
 */
public final class Detector {

  private static final Logger log = LoggerFactory.getLogger("sluice.detection");

  /** Detection off: no stage is added. */
  public static final Detector NONE = new Detector(DetectionConfig.OFF, null, null, "-", "-");

  private final DetectionConfig config;
  private final FingerprintIndex index;
  private final Evidence evidence;
  private final String listener;
  private final String zone;

  /**
   * @param index the index loaded from {@code config.index()} (required when it is set)
   * @param evidence where findings are recorded (required when {@code config} is enabled)
   */
  public Detector(
      DetectionConfig config,
      FingerprintIndex index,
      Evidence evidence,
      String listener,
      String zone) {
    this.config = Objects.requireNonNull(config, "config");
    if (config.index() != null && index == null) {
      throw new IllegalArgumentException("detection.index " + config.index() + " was not loaded");
    }
    if (config.enabled()) {
      Objects.requireNonNull(evidence, "evidence");
    }
    this.index = config.index() == null ? null : index;
    this.evidence = evidence;
    this.listener = listener;
    this.zone = zone;
  }

  /** Whether anything is scanned. */
  public boolean enabled() {
    return config.enabled();
  }

  /**
   * How long bytes a blocking stage holds back may wait for more before they leave ({@code
   * detection.hold}): the bound on the latency the stage adds to a small streaming event.
   */
  public Duration hold() {
    return config.hold();
  }

  /** A hold-back for one channel's stage. */
  public HoldBack holdBack() {
    return new HoldBack(HoldBack.LIMIT, config.hold().toNanos());
  }

  /** Whether a finding stops the bytes ({@code action: block}). */
  public boolean blocks() {
    return config.action() == DetectionConfig.Action.BLOCK;
  }

  /** The byte stage for the egress side of a connection of {@code rec}, or null when off. */
  public ScanStage stage(ConnectionRecord rec) {
    return enabled() ? new ScanStage(this, rec) : null;
  }

  /** A session for one stream; {@code contentEncoding} is the body's, or null. */
  ScanSession session(String contentEncoding) {
    return new ScanSession(index, config.tensors(), contentEncoding, config.anchorStride());
  }

  /** A scan of one HTTP body (or request head) for {@link HttpScanStage}. */
  public BodyScan body(ConnectionRecord rec, String contentEncoding) {
    return new BodyScan(this, rec, session(contentEncoding));
  }

  /**
   * Records {@code f}: ledger entry, metric, newest finding, log line.
   *
   * @param bytesOut bytes of the stream that had already left when it was found
   * @param blocked whether the stream was stopped
   * @return completes once the ledger entry is durable (or was lost and logged)
   */
  CompletableFuture<Long> report(ConnectionRecord rec, Finding f, long bytesOut, boolean blocked) {
    String action = config.action().label();
    CompletableFuture<Long> entry =
        evidence.detected(
            rec,
            e -> {
              e.put("kind", f.kind().label())
                  .put("action", action)
                  .put("offset", f.offset())
                  .put("bytes", f.bytes())
                  .put("bytes_out", bytesOut)
                  .put("blocked", blocked ? 1L : 0L);
              f.put(e);
            });
    if (blocked) {
      evidence.stats().denied(Reason.WEIGHTS_DETECTED);
    }
    DetectionStats.Key key = new DetectionStats.Key(listener, zone, f.kind().label(), action);
    evidence.stats().detections().detected(key, evidence.clock().millis(), describe(rec, f));
    log.warn(
        "weights detected: listener={} zone={} tenant={} destination={} client={} action={} {}",
        LogValue.of(listener),
        LogValue.of(zone),
        LogValue.of(rec.tenants()),
        LogValue.of(rec.destination().isEmpty() ? "-" : rec.destination()),
        LogValue.of(rec.client),
        action,
        LogValue.of(f.describe()));
    return entry;
  }

  /** A failure of a detector: logged once per stream; the stream is not scanned further. */
  void failed(ConnectionRecord rec, Throwable t) {
    log.error(
        "scan stopped on listener={} client={}: {}",
        LogValue.of(listener),
        LogValue.of(rec.client),
        LogValue.of(String.valueOf(t)));
  }

  private String describe(ConnectionRecord rec, Finding f) {
    return "listener "
        + listener
        + ", tenant "
        + rec.tenants()
        + ", destination "
        + (rec.destination().isEmpty() ? "-" : rec.destination())
        + ": "
        + f.describe();
  }
}
