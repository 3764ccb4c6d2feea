package dev.sluice.gateway.reverse;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.edge.EdgeLinks;
import dev.sluice.gateway.edge.LinkSettings;
import dev.sluice.gateway.edge.StreamMeter;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.meter.EgressProbe;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.scan.Detector;
import dev.sluice.gateway.scan.HttpScanStage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * Assembles every pipeline of a {@code reverse} listener, in one place (see {@link Stages} for the
 * order and the slots). A connection accepted from a client, from the socket up; responses are
 * egress, so they pass from {@code proxy} down to {@code meter}:
 *
 * <pre>
 *   meter      write: EgressMeter charges every byte written to the client
 *   tls        optional TLS termination (its records are charged too)
 *              compress: with peer: edge, the edge link replaces meter and tls (below)
 *   head-clock RequestClock: timeouts.request_head and timeouts.idle start on raw bytes
 *   http       HTTP/1.1 codec with strict parsing and size limits; refuses obs-fold
 *   scan       HttpScanStage ({@code detection}, slot {@link Stages#SCAN}): each response
 *              body, decoded by its Content-Encoding, before the codec frames it; a 403 or a cut
 *   heads      RequestClock: a decoded request head stops timeouts.request_head
 *   guard      RequestGuard: refuses ambiguous framing (smuggling) before anything is forwarded
 *   aggregate  whole request bodies, up to a limit (requests are small prompts)
 *   proxy      identify and admit: ReverseProxyHandler (TenantHeader, the shared Admission stage),
 *              then UpstreamRelay forwards (UpstreamDialer) and streams the response
 * </pre>
 *
 * and a connection to an upstream ({@link #upstreamPipeline}): optional TLS, the HTTP client codec,
 * the relay back to the client's handler. Requests toward the upstream are not egress.
 *
 * <p>The listener's {@link ConnectionCaps} ({@code connection_limits}) are taken by the proxy
 * handler: a source slot at accept (not for edge streams, which all come from the edge), a tenant
 * slot with the first request of each tenant.
 *
 * <p>Bytes written before a request identified a tenant (the TLS handshake) are charged to the
 * zone's {@code default} tenant, or to the control allowance when the zone has none.
 *
 * <p>With {@code peer: edge} the accepted connection is a multiplexed edge link ({@link
 * EdgeLinks}); each of its streams is a channel of its own whose pipeline is the one above from
 * {@code http} up, after the stream's meter, with its own connection record.
 */
public final class ReverseListener extends ChannelInitializer<SocketChannel> {

  /** Most bytes of a request body the gateway accepts. */
  public static final int MAX_REQUEST_BODY = 8 << 20;

  static final String CODEC = "http";

  /** A request body was larger than {@link #MAX_REQUEST_BODY}. */
  record TooLarge() {}

  private final ListenerContext lc;
  private final UpstreamTargets targets;
  private final UpstreamDialer dialer;
  private final SslContext serverTls;
  private final SslContext upstreamTls;
  private final LinkSettings edge;
  private final Admission admission;
  private final ConnectionCaps caps;

  /**
   * @param serverTls TLS for clients, or null
   * @param upstreamTls TLS for https upstreams (required when one is configured), or null
   */
  public ReverseListener(ListenerContext lc, SslContext serverTls, SslContext upstreamTls) {
    this(lc, serverTls, upstreamTls, null);
  }

  /**
   * @param serverTls TLS for clients (with an edge: for the edge), or null
   * @param upstreamTls TLS for https upstreams (required when one is configured), or null
   * @param edge the link settings when {@code sluice edge} connects ({@code peer: edge}); null for
   *     direct clients
   */
  public ReverseListener(
      ListenerContext lc, SslContext serverTls, SslContext upstreamTls, LinkSettings edge) {
    this.lc = lc;
    this.edge = edge;
    this.admission = new Admission(lc);
    this.caps =
        new ConnectionCaps(
            lc.config().limits().maxPerSource(), lc.config().limits().maxPerTenant());
    this.targets = new UpstreamTargets(lc.config().upstreams());
    this.serverTls = serverTls;
    this.upstreamTls = upstreamTls;
    if (targets.anyTls() && upstreamTls == null) {
      throw new IllegalArgumentException(
          "listener " + lc.name() + " has an https upstream but no client TLS context");
    }
    this.dialer = new UpstreamDialer(lc, targets, new UpstreamPool(), upstreamTls);
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    init(ch);
  }

  /** Sets up an accepted connection (a socket, or in tests an embedded channel). */
  void init(Channel ch) {
    ch.config().setAutoRead(false);
    if (edge != null) {
      EdgeLinks.addGatewaySide(ch, lc, serverTls, edge, this::initStream);
      return;
    }
    InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
    ConnectionRecord record =
        new ConnectionRecord(
            lc.name(),
            lc.zone(),
            remote == null ? "-" : remote.getAddress().getHostAddress() + ":" + remote.getPort(),
            lc.clock().millis(),
            lc.clock().nanos());
    String fallback = lc.tenantOrDefault(null);
    EscrowAccount first = fallback == null ? lc.meter().control() : lc.account(fallback);
    EgressMeter meter = new EgressMeter(lc.meter(), record, first);
    ChannelPipeline p = ch.pipeline();
    p.addLast(Stages.METER, meter);
    if (serverTls != null) {
      p.addLast(Stages.TLS, serverTls.newHandler(ch.alloc()));
    }
    EgressProbe.addTo(p, meter);
    addHttp(p, record, meter, true);
  }

  /**
   * The pipeline of a connection to an upstream: optional TLS, the HTTP client codec with the
   * response limits of {@link Stages#clientDecoder()}, the relay to {@code client}.
   */
  static ChannelInitializer<SocketChannel> upstreamPipeline(
      UpstreamRelay client, UpstreamPool pool, UpstreamTargets.Target target, SslContext tls) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (target.tls()) {
          p.addLast(Stages.TLS, tls.newHandler(ch.alloc(), target.host(), target.port()));
        }
        p.addLast(CODEC, new HttpClientCodec(Stages.clientDecoder(), false, false));
        p.addLast(Stages.RELAY, new UpstreamHandler(client, pool, target));
      }
    };
  }

  /** The pipeline of one stream of an edge link, after its meter. */
  private void initStream(Channel ch, StreamMeter meter, ConnectionRecord record) {
    EgressProbe.addTo(ch.pipeline(), meter, lc.meter().stats().probe());
    addHttp(ch.pipeline(), record, meter, false);
  }

  /**
   * @param direct a client's own connection (its source address takes a slot of the per-source
   *     cap); false for a stream of an edge link
   */
  private void addHttp(
      ChannelPipeline p, ConnectionRecord record, ConnectionMeter meter, boolean direct) {
    ReverseProxyHandler proxy =
        new ReverseProxyHandler(lc, dialer, record, meter, admission, caps.lease(), direct);
    p.addLast("head-clock", proxy.clock().bytes());
    p.addLast(CODEC, newServerCodec());
    if (lc.detector().enabled()) {
      p.addLast(Stages.SCAN, scanStage(lc.detector(), record));
    }
    p.addLast("heads", proxy.clock().heads());
    p.addLast("guard", new RequestGuard());
    p.addLast("aggregate", new Aggregator(MAX_REQUEST_BODY));
    p.addLast("proxy", proxy);
  }

  /**
   * The scan stage of a client connection or edge stream: responses scanned above the codec; a
   * finding before anything of the response left is answered {@code 403 weights_detected}.
   */
  static HttpScanStage scanStage(Detector detector, ConnectionRecord record) {
    return new HttpScanStage(
        detector,
        record,
        f ->
            JsonResponses.error(
                Reason.WEIGHTS_DETECTED,
                Reason.WEIGHTS_DETECTED.message(),
                ",\"kind\":" + Json.str(f.kind().label())));
  }

  /** The listener's connection caps (for tests). */
  ConnectionCaps caps() {
    return caps;
  }

  static StrictServerCodec newServerCodec() {
    return new StrictServerCodec(Stages.serverDecoder());
  }

  /** Replaces the HTTP codec with a fresh one, to answer after a response was cut short. */
  static void resetCodec(ChannelPipeline p) {
    if (p.get(CODEC) != null) {
      p.replace(CODEC, CODEC, newServerCodec());
    }
  }

  /**
   * Aggregates request bodies without writing anything itself: no interim {@code 100 Continue} (an
   * unpaid write), and an oversized body becomes a {@link TooLarge} event for the proxy.
   */
  private static final class Aggregator extends HttpObjectAggregator {
    Aggregator(int max) {
      super(max);
    }

    @Override
    protected Object newContinueResponse(
        HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      return null;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      ReferenceCountUtil.release(oversized);
      ctx.fireUserEventTriggered(new TooLarge());
    }
  }
}
