package dev.sluice.gateway.forward;

import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one forward connection leaves behind: its {@link ConnectionRecord} (tenant, destinations,
 * outcome), a {@code deny} ledger entry and a counter for every refusal, and at close the
 * connection's ledger entry and log line. A refusal is recorded with the destination of the request
 * it refused; the closing entry names every destination of the connection (up to {@value
 * #MAX_DESTINATIONS}, then {@code ...}). Used on the connection's event loop only.
 */
final class ForwardRecord {

  private static final Logger log = LoggerFactory.getLogger(ForwardRecord.class);

  static final int MAX_DESTINATIONS = 16;
  private static final int MAX_AUTHORITY = 262;

  private final ListenerContext lc;
  private final ConnectionRecord record;
  private final Set<String> destinations = new LinkedHashSet<>();
  private boolean moreDestinations;
  private String tenant;

  ForwardRecord(ListenerContext lc, InetSocketAddress client) {
    this(lc, newRecord(lc, client));
  }

  /** A forward record around {@code record}, made earlier (by the edge link's pipeline). */
  ForwardRecord(ListenerContext lc, ConnectionRecord record) {
    this.lc = lc;
    this.record = record;
  }

  static ConnectionRecord newRecord(ListenerContext lc, java.net.SocketAddress remote) {
    InetSocketAddress client = (InetSocketAddress) remote;
    return new ConnectionRecord(
        lc.name(),
        lc.zone(),
        client == null ? "-" : client.getAddress().getHostAddress() + ":" + client.getPort(),
        lc.clock().millis(),
        lc.clock().nanos());
  }

  /** The record the meters of this connection's destination channels count into. */
  ConnectionRecord record() {
    return record;
  }

  void request() {
    record.request();
  }

  String tenant() {
    return tenant;
  }

  void tenant(String t) {
    tenant = t;
    record.tenant(t);
  }

  /** What intake learned of the current request: its destination and tenant, where known. */
  void identified(Intake.Decision d) {
    if (d.target() != null) {
      destination(d.target());
    }
    if (d.tenant() != null) {
      tenant(d.tenant());
    }
  }

  /** The destination of the current request, as the client named it. */
  void destination(RequestTarget t) {
    String a = t.authority();
    if (a.length() > MAX_AUTHORITY) {
      a = a.substring(0, MAX_AUTHORITY - 3) + "...";
    }
    record.destination(a);
    if (destinations.size() < MAX_DESTINATIONS) {
      destinations.add(a);
    } else if (!destinations.contains(a)) {
      moreDestinations = true;
    }
  }

  /** A refusal of this listener's own: a {@code deny} (policy) or an {@code error} (502s). */
  void refused(Reason reason, String detail) {
    if (reason.policy()) {
      lc.evidence().denied(record, tenant, reason, detail);
      record.outcome(ConnectionRecord.Decision.DENY, reason);
    } else {
      log.debug("{} on {}: {}", reason, lc.name(), LogValue.of(detail));
      lc.evidence().stats().denied(reason);
      record.outcome(ConnectionRecord.Decision.ERROR, reason);
    }
  }

  /**
   * A refusal of the budget, a halt or a failing store; {@code cut} when bytes of the request or
   * tunnel had already left.
   */
  void refused(Refusal r, boolean cut) {
    lc.evidence().denied(record, tenant, r);
    record.outcome(
        cut ? ConnectionRecord.Decision.CUT : ConnectionRecord.Decision.DENY, r.reason());
  }

  void wouldDeny(Refusal r) {
    lc.evidence().wouldDeny(record, tenant, r);
  }

  /** A failure that is neither side's decision (a broken connection). */
  void error(Reason reason) {
    record.outcome(ConnectionRecord.Decision.ERROR, reason);
  }

  /** Writes the connection's ledger entry and log line. */
  void closed() {
    if (!destinations.isEmpty()) {
      record.destination(String.join(",", destinations) + (moreDestinations ? ",..." : ""));
    }
    lc.evidence().closed(record);
  }
}
