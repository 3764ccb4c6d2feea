package dev.sluice.bench.live;

import dev.sluice.bench.live.PairedLoad.Outcome;
import dev.sluice.bench.live.PairedLoad.Plan;
import dev.sluice.bench.live.PairedLoad.Targets;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One measured case: a {@link PairedLoad} between two scrapes of the gateway's {@code /metrics},
 * the second once every stream of the edge's link has ended (its END paid and written), so the
 * difference is every byte charged on each listener while the case ran: on the edge listener the
 * tenants' shares of the link's frames and the link's own bytes (paid from the control allowance);
 * on the direct listener the responses as the clients received them.
 *
 * @param edgeCharged bytes charged on the edge listener during the case
 * @param directCharged bytes charged on the direct listener during the case
 */
public record LiveCase(
    Plan plan,
    CaseStats stats,
    long edgeCharged,
    long directCharged,
    List<String> failures,
    double seconds) {

  /** How long the link's streams may take to end after the clients closed. */
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

  /** Charged link bytes per byte of answer text delivered exactly. */
  public double edgeRatio() {
    return (double) edgeCharged / stats.textBytes();
  }

  /** Charged direct bytes per byte of answer text delivered exactly. */
  public double directRatio() {
    return (double) directCharged / stats.textBytes();
  }

  /**
   * Runs {@code plan} against {@code targets}, whose gateway's admin is {@code admin}, charging on
   * listeners {@code edgeListener} and {@code directListener}.
   */
  public static LiveCase run(
      Targets targets,
      Plan plan,
      AdminMetrics admin,
      String edgeListener,
      String directListener,
      Clock clock)
      throws IOException, InterruptedException {
    String before = settled(admin, clock);
    Timebase base = Timebase.of(clock);
    long start = clock.nanos();
    Outcome o = PairedLoad.run(targets, plan, clock);
    double seconds = (clock.nanos() - start) / 1e9;
    String after = settled(admin, clock);
    return new LiveCase(
        plan,
        CaseStats.of(o.exchanges(), base),
        AdminMetrics.egress(after, edgeListener) - AdminMetrics.egress(before, edgeListener),
        AdminMetrics.egress(after, directListener) - AdminMetrics.egress(before, directListener),
        o.failures(),
        seconds);
  }

  /** A scrape taken once no stream is open on any edge link (or after {@link #SETTLE}). */
  private static String settled(AdminMetrics admin, Clock clock)
      throws IOException, InterruptedException {
    long deadline = clock.nanos() + SETTLE.toNanos();
    String text = admin.scrape();
    while (AdminMetrics.edgeStreamsOpen(text) > 0 && clock.nanos() - deadline < 0) {
      LockSupport.parkNanos(POLL_NANOS);
      text = admin.scrape();
    }
    return text;
  }
}
