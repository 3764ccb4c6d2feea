package dev.sluice.gateway.evidence;

import dev.sluice.gateway.refusal.Reason;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What happened on one connection, filled in by the handlers of its pipeline (all on one event
 * loop, so not thread-safe) and written once at close: one ledger entry and one log line.
 */
public final class ConnectionRecord {

  /** How the connection ended, from best to worst. */
  public enum Decision {
    ALLOW,
    DENY,
    CUT,
    ERROR
  }

  public final String listener;
  public final String zone;
  public final String client;
  public final long startMillis;
  public final long startNanos;
  private final Set<String> tenants = new LinkedHashSet<>();
  private String destination = "";
  private long bytesIn;
  private long bytesOut;
  private long charged;
  private long controlBytes;
  private long wouldDeny;
  private int requests;
  private Decision decision = Decision.ALLOW;
  private Reason reason; // null: ok

  public ConnectionRecord(
      String listener, String zone, String client, long startMillis, long startNanos) {
    this.listener = listener;
    this.zone = zone;
    this.client = client;
    this.startMillis = startMillis;
    this.startNanos = startNanos;
  }

  public void tenant(String t) {
    tenants.add(t);
  }

  /** Tenants seen on this connection, comma-separated ({@code -} if none was identified). */
  public String tenants() {
    return tenants.isEmpty() ? "-" : String.join(",", tenants);
  }

  public void destination(String d) {
    destination = d;
  }

  public String destination() {
    return destination;
  }

  /** Bytes read from the inside of the site. */
  public void in(long n) {
    bytesIn += n;
  }

  /** Bytes written toward the outside (each one paid for). */
  public void out(long n, boolean control) {
    bytesOut += n;
    if (control) {
      controlBytes += n;
    } else {
      charged += n;
    }
  }

  /** Bytes let through in report mode that a cap would have refused. */
  public void wouldDeny(long n) {
    bytesOut += n;
    wouldDeny += n;
  }

  public void request() {
    requests++;
  }

  /** Records the outcome; a worse outcome replaces a better one, never the reverse. */
  public void outcome(Decision d, Reason why) {
    if (d.ordinal() >= decision.ordinal()) {
      decision = d;
      reason = why;
    }
  }

  public long bytesIn() {
    return bytesIn;
  }

  public long bytesOut() {
    return bytesOut;
  }

  public long charged() {
    return charged;
  }

  public long controlBytes() {
    return controlBytes;
  }

  public long wouldDenyBytes() {
    return wouldDeny;
  }

  public int requests() {
    return requests;
  }

  public Decision decision() {
    return decision;
  }

  /** The label of the reason of the outcome, {@code ok} for a connection that ended well. */
  public String reason() {
    return reason == null ? "ok" : reason.label();
  }
}
