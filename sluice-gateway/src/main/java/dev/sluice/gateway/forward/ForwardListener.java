package dev.sluice.gateway.forward;

import dev.sluice.config.ZoneConfig;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.edge.EdgeLinks;
import dev.sluice.gateway.edge.LinkSettings;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.meter.EgressProbe;
import dev.sluice.gateway.meter.MeterSettings;
import dev.sluice.gateway.scan.Detector;
import dev.sluice.gateway.scan.HttpScanStage;
import dev.sluice.gateway.scan.ScanStage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * A {@code forward} listener: an HTTP proxy for connections started inside the site, taking {@code
 * CONNECT host:port} tunnels and absolute-form {@code http://} requests. Every pipeline of the
 * listener is assembled here, in one place (see {@link Stages} for the order and the slots). An
 * accepted (inside) connection:
 *
 * <pre>
 *   head-clock    RequestClock: timeouts.request_head and timeouts.idle start on raw bytes
 *   tunnel-idle   timeouts.tunnel_idle, put first once a CONNECT tunnel is open
 *   http-decoder  strict HTTP/1.1 request decoder (removed when a CONNECT arrives)
 *   heads         RequestClock: a decoded request head stops timeouts.request_head
 *   http-encoder  response encoder for our answers and relayed responses (removed once a tunnel
 *                 is open)
 *   proxy         identify and admit: ForwardHandler (Intake, the shared Admission stage, the
 *                 Dialer), then tunnel or exchange, refusals
 * </pre>
 *
 * and of each destination connection it opens (egress goes this way, so it is metered here):
 *
 * <pre>
 *   meter   write: EgressMeter charges every byte written to the destination, to (zone, tenant,
 *           pattern)
 *   probe   EgressProbe (absolute-form requests only)
 *   http    HTTP client codec (absolute-form requests only)
 *   scan    HttpScanStage ({@code detection}) above the codec: each request (a long head, the body
 *           decoded by its Content-Encoding); for a tunnel ScanStage on its bytes, below the relay
 *   origin  OriginHandler, or relay: TunnelRelay for a tunnel
 * </pre>
 *
 * With {@code peer: edge}, the accepted connection is a multiplexed edge link ({@link EdgeLinks}):
 * each of its streams is a channel of its own with the pipeline above after the stream's meter (the
 * link bytes toward the edge, responses and the proxy's own answers, are egress, charged to the
 * tenant and destination of the request), and its own connection record.
 *
 * <p>Shared by every connection of the listener; the per-connection state is in the handler.
 */
public final class ForwardListener extends ChannelInitializer<SocketChannel> {

  static final String DECODER = "http-decoder";
  static final String ENCODER = "http-encoder";

  private final ListenerContext lc;
  private final Intake intake;
  private final Admission admission;
  private final Dialer dialer;
  private final LinkSettings edge;
  private final ConnectionCaps caps;

  /**
   * @param zone the listener's zone (its destination patterns and unknown-destination policy)
   * @param resolver how destination names become addresses
   */
  public ForwardListener(ListenerContext lc, ZoneConfig zone, HostResolver resolver) {
    this(lc, zone, resolver, null);
  }

  /**
   * @param zone the listener's zone (its destination patterns and unknown-destination policy)
   * @param resolver how destination names become addresses
   * @param edge the link settings when {@code sluice edge} connects ({@code peer: edge}); null for
   *     direct clients
   */
  public ForwardListener(
      ListenerContext lc, ZoneConfig zone, HostResolver resolver, LinkSettings edge) {
    if (lc.config().forward() == null || !lc.zone().equals(zone.name())) {
      throw new IllegalArgumentException(
          "listener " + lc.name() + " is not a forward listener of zone " + zone.name());
    }
    this.lc = lc;
    this.edge = edge;
    this.intake = new Intake(new ProxyIdentity(lc), new DestinationPolicy(zone));
    this.admission = new Admission(lc);
    this.caps =
        new ConnectionCaps(
            lc.config().limits().maxPerSource(), lc.config().limits().maxPerTenant());
    this.dialer =
        new Dialer(
            lc,
            new LookupGate(lc, resolver, lc.config().forward().lookups()),
            new DenyRanges(lc.config().forward().denyRanges()));
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.config().setAutoRead(false);
    if (edge != null) {
      EdgeLinks.addGatewaySide(
          ch,
          lc,
          null,
          edge,
          (stream, meter, record) -> {
            ScanStage scan = lc.detector().stage(record);
            if (scan != null) {
              stream.pipeline().addLast(Stages.SCAN, scan);
            }
            addHttp(stream, record);
          });
      return;
    }
    addHttp(ch, null);
  }

  /**
   * The pipeline of a destination connection: an {@link EgressMeter} at the head (everything
   * written to the destination is egress and charged to {@code account}, counted into {@code
   * record}), then either a {@link TunnelRelay} (CONNECT) or the HTTP client codec and an {@link
   * OriginHandler}. Sharable: one instance may set up several attempts, one per resolved address.
   */
  static ChannelInitializer<Channel> originPipeline(
      MeterSettings settings,
      ConnectionRecord record,
      EscrowAccount account,
      ForwardHandler client,
      boolean tunnel,
      Detector detector) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        EgressMeter meter = new EgressMeter(settings, record, account);
        meter.listener(client);
        ChannelPipeline p = ch.pipeline();
        p.addLast(Stages.METER, meter);
        if (tunnel) {
          ScanStage scan = detector.stage(record);
          if (scan != null) {
            p.addLast(Stages.SCAN, scan);
          }
          p.addLast(Stages.RELAY, new TunnelRelay(client.channel()));
          return; // CONNECT: the client's TLS, not probed (it never compresses)
        }
        EgressProbe.addTo(p, meter);
        p.addLast("http", new HttpClientCodec(Stages.clientDecoder(), false, false));
        if (detector.enabled()) {
          // Above the codec: each request body is decoded by its Content-Encoding and judged
          // whole at its end; a finding cuts the destination connection.
          p.addLast(Stages.SCAN, new HttpScanStage(detector, record, null));
        }
        p.addLast("origin", new OriginHandler(client));
      }
    };
  }

  /** The meter of a destination channel set up here, or null once the channel is torn down. */
  static EgressMeter meterOf(Channel ch) {
    return ch.pipeline().get(EgressMeter.class);
  }

  private void addHttp(Channel ch, ConnectionRecord record) {
    addHttp(ch.pipeline(), new ForwardHandler(lc, intake, admission, dialer, record, caps.lease()));
  }

  /** The client pipeline around {@code proxy} (also used by tests, on an embedded channel). */
  static void addHttp(ChannelPipeline p, ForwardHandler proxy) {
    p.addLast("head-clock", proxy.clock().bytes());
    p.addLast(DECODER, new HttpRequestDecoder(Stages.serverDecoder()));
    p.addLast("heads", proxy.clock().heads());
    p.addLast(ENCODER, new HttpResponseEncoder());
    p.addLast("proxy", proxy);
  }
}
