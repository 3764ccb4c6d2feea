package dev.sluice.config;

import dev.sluice.net.Cidr;
import dev.sluice.net.HostPort;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One listening socket of the gateway and how its traffic is attributed.
 *
 * <p>Which fields apply depends on the mode: {@code reverse} has URL upstreams and may have a
 * {@code tenantHeader} and {@code tls}; {@code forward} has no upstreams (the client names the
 * destination) and has {@code forward} settings (deny ranges, proxy users); {@code tcp} has {@code
 * host:port} upstreams and an {@code egress} direction. {@code tenantsBySource} (forward and tcp)
 * maps source CIDRs to tenants of the listener's zone, in the order written. {@code peer} is {@link
 * Peer#EDGE} when {@code sluice edge} connects instead of clients (reverse and forward only).
 * {@code limits} are the listener's timeouts and connection caps, resolved (top level, then the
 * listener's own overrides).
 */
public record ListenerConfig(
    String name,
    ListenerMode mode,
    HostPort bind,
    List<String> upstreams,
    String zone,
    String tenantHeader,
    Map<String, String> tenantsBySource,
    Egress egress,
    TlsConfig tls,
    ForwardConfig forward,
    Peer peer,
    ConnectionLimits limits) {

  /**
   * This listener bound to {@code port} of the same host: how a {@code bind} with port 0 is pinned
   * to the port it got, so a reload keeps the address clients use.
   */
  public ListenerConfig withPort(int port) {
    return new ListenerConfig(
        name,
        mode,
        new HostPort(bind.host(), port),
        upstreams,
        zone,
        tenantHeader,
        tenantsBySource,
        egress,
        tls,
        forward,
        peer,
        limits);
  }

  public ListenerConfig {
    Objects.requireNonNull(limits, "limits");
    Names.checkListenerName(name);
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(peer, "peer");
    Names.checkNodeName("zone", zone);
    upstreams = List.copyOf(upstreams);
    tenantsBySource = Immutables.orderedCopy(tenantsBySource, "tenantsBySource");
    tenantsBySource.forEach(
        (cidr, tenant) -> {
          Cidr.parse(cidr);
          Names.checkNodeName("tenant", tenant);
        });
    if (tenantHeader != null) {
      Names.checkHeaderName(tenantHeader);
    }
    boolean reverse = mode == ListenerMode.REVERSE;
    boolean tcp = mode == ListenerMode.TCP;
    require(reverse || tenantHeader == null, name, "tenant_header is only for reverse listeners");
    require(reverse || tls == null, name, "tls is only for reverse listeners");
    require(!reverse || tenantsBySource.isEmpty(), name, "tenants_by_source is not for reverse");
    require(tcp == (egress != null), name, "egress is required for tcp and only for tcp");
    require(
        !tcp || peer == Peer.DIRECT,
        name,
        "peer: edge is only for reverse and forward listeners (tcp listeners carry no HTTP for"
            + " an edge to restore)");
    require(
        (mode == ListenerMode.FORWARD) == (forward != null),
        name,
        "forward settings are required for forward and only for forward");
    require(
        (mode == ListenerMode.FORWARD) == upstreams.isEmpty(),
        name,
        "upstreams are required for reverse and tcp, and not allowed for forward");
    for (String u : upstreams) {
      if (reverse) {
        Upstreams.checkUrl(u);
      } else {
        Upstreams.checkHostPort(u);
      }
    }
  }

  /**
   * A listener with the default timeouts and connection caps ({@link ConnectionLimits#DEFAULTS}).
   */
  public ListenerConfig(
      String name,
      ListenerMode mode,
      HostPort bind,
      List<String> upstreams,
      String zone,
      String tenantHeader,
      Map<String, String> tenantsBySource,
      Egress egress,
      TlsConfig tls,
      ForwardConfig forward,
      Peer peer) {
    this(
        name,
        mode,
        bind,
        upstreams,
        zone,
        tenantHeader,
        tenantsBySource,
        egress,
        tls,
        forward,
        peer,
        ConnectionLimits.DEFAULTS);
  }

  /** A listener whose clients connect directly ({@link Peer#DIRECT}). */
  public ListenerConfig(
      String name,
      ListenerMode mode,
      HostPort bind,
      List<String> upstreams,
      String zone,
      String tenantHeader,
      Map<String, String> tenantsBySource,
      Egress egress,
      TlsConfig tls,
      ForwardConfig forward) {
    this(
        name,
        mode,
        bind,
        upstreams,
        zone,
        tenantHeader,
        tenantsBySource,
        egress,
        tls,
        forward,
        Peer.DIRECT);
  }

  /**
   * A listener whose forward settings, if it is a forward listener, are the defaults ({@link
   * ForwardConfig#defaults()}).
   */
  public ListenerConfig(
      String name,
      ListenerMode mode,
      HostPort bind,
      List<String> upstreams,
      String zone,
      String tenantHeader,
      Map<String, String> tenantsBySource,
      Egress egress,
      TlsConfig tls) {
    this(
        name,
        mode,
        bind,
        upstreams,
        zone,
        tenantHeader,
        tenantsBySource,
        egress,
        tls,
        mode == ListenerMode.FORWARD ? ForwardConfig.defaults() : null);
  }

  private static void require(boolean ok, String listener, String message) {
    if (!ok) {
      throw new IllegalArgumentException("listener " + listener + ": " + message);
    }
  }
}
