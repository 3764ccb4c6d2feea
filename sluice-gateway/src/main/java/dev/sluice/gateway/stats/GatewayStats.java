package dev.sluice.gateway.stats;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters the data plane keeps for metrics, without depending on a metrics library: plain {@link
 * LongAdder}s bumped on the event loops, read by the admin server at scrape time. One instance per
 * running gateway. Thread-safe.
 */
public final class GatewayStats {

  /** Counters of one listener. */
  public static final class ListenerStats {
    public final LongAdder connectionsOpen = new LongAdder();
    public final LongAdder connectionsTotal = new LongAdder();

    /** Bytes read from the inside (not metered). */
    public final LongAdder bytesIn = new LongAdder();

    /** Bytes written toward the outside, every one charged first. */
    public final LongAdder bytesOut = new LongAdder();

    /** Bytes written toward the outside in report mode that a cap would have refused. */
    public final LongAdder wouldDenyBytes = new LongAdder();

    /** Forward listeners: name lookups sent (each charged first). */
    public final LongAdder lookupsSent = new LongAdder();

    /** Forward listeners: lookups answered from the cache (nothing sent, nothing charged). */
    public final LongAdder lookupCacheHits = new LongAdder();

    /** Forward listeners: bytes charged for lookups (their upper bound), part of bytesOut. */
    public final LongAdder lookupBytes = new LongAdder();

    private final Map<String, LongAdder> closed = new ConcurrentHashMap<>();

    /**
     * Counts a connection the listener closed on its own for a timeout or a connection cap ({@code
     * sluice_connections_closed_total{listener,reason}}).
     */
    public void closed(dev.sluice.gateway.refusal.Reason reason) {
      closed.computeIfAbsent(reason.label(), r -> new LongAdder()).increment();
    }

    /** Connections closed by the listener so far, by the label of their reason. */
    public Map<String, LongAdder> closed() {
      return Collections.unmodifiableMap(closed);
    }
  }

  private final Map<String, ListenerStats> listeners = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> denials = new ConcurrentHashMap<>();
  private final LongAdder egressBytes = new LongAdder();
  private final LongAdder controlBytes = new LongAdder();
  private final dev.sluice.gateway.stats.EdgeStats edge = new dev.sluice.gateway.stats.EdgeStats();
  private final ProbeStats probe = new ProbeStats();
  private final DetectionStats detections = new DetectionStats();

  public GatewayStats(List<String> listenerNames) {
    for (String n : listenerNames) {
      listeners.put(n, new ListenerStats());
    }
  }

  /** Adds counters for listener {@code name} if it has none (a listener added by a reload). */
  public void ensureListener(String name) {
    listeners.computeIfAbsent(name, n -> new ListenerStats());
  }

  /** The counters of listener {@code name}. */
  public ListenerStats listener(String name) {
    ListenerStats s = listeners.get(name);
    if (s == null) {
      throw new IllegalArgumentException("unknown listener " + name);
    }
    return s;
  }

  public Map<String, ListenerStats> listeners() {
    return Collections.unmodifiableMap(listeners);
  }

  /** Counts one denial (a refused request or connection, or a stream cut) by reason. */
  public void denied(dev.sluice.gateway.refusal.Reason reason) {
    denied(reason.label());
  }

  /** Counts one denial by the label of its reason. */
  public void denied(String reason) {
    denials.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  /** Denials so far by reason. */
  public Map<String, LongAdder> denials() {
    return Collections.unmodifiableMap(denials);
  }

  /** Counts metered egress bytes (all listeners), for the egress rate. */
  public void egress(long bytes) {
    egressBytes.add(bytes);
  }

  public long egressBytes() {
    return egressBytes.sum();
  }

  /** Counters of the {@code peer: edge} listeners. */
  public dev.sluice.gateway.stats.EdgeStats edge() {
    return edge;
  }

  /** Counters of the compressibility probe, per tenant. */
  public ProbeStats probe() {
    return probe;
  }

  /** Findings of the scan stage. */
  public DetectionStats detections() {
    return detections;
  }

  /** Counts bytes of denial responses paid from the control allowance. */
  public void control(long bytes) {
    controlBytes.add(bytes);
  }

  public long controlBytes() {
    return controlBytes.sum();
  }
}
