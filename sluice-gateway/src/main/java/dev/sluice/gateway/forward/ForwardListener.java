package dev.sluice.gateway.forward;

import dev.sluice.config.ZoneConfig;
import dev.sluice.gateway.ListenerContext;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.edge.EdgeLinks;
import dev.sluice.gateway.edge.LinkSettings;
import dev.sluice.gateway.evidence.ConnectionRecord;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * A {@code forward} listener: an HTTP proxy for connections started inside the site, taking {@code
 * CONNECT host:port} tunnels and absolute-form {@code http://} requests. The pipeline of an
 * accepted (inside) connection:
 *
 * <pre>
 *   http-decoder  strict HTTP/1.1 request decoder (removed when a CONNECT arrives)
 *   http-encoder  response encoder for our answers and relayed responses (removed once a tunnel
 *                 is open)
 *   proxy         ForwardHandler: intake, admission, tunnel or exchange, refusals
 * </pre>
 *
 * and of each destination connection it opens (egress goes this way, so it is metered here):
 *
 * <pre>
 *   meter   EgressMeter: charges every byte written to the destination, to (zone, tenant, pattern)
 *   http    HTTP client codec (absolute-form requests only)
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
    this.dialer =
        new Dialer(
            lc,
            new Lookups(resolver, lc.name()),
            new DenyRanges(lc.config().forward().denyRanges()));
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.config().setAutoRead(false);
    if (edge != null) {
      EdgeLinks.addGatewaySide(
          ch, lc, null, edge, (stream, meter, record) -> addHttp(stream, record));
      return;
    }
    addHttp(ch, null);
  }

  private void addHttp(Channel ch, ConnectionRecord record) {
    ChannelPipeline p = ch.pipeline();
    p.addLast(
        DECODER,
        new HttpRequestDecoder(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16 * 1024)
                .setMaxChunkSize(64 * 1024)
                .setStrictLineParsing(true)
                .setAllowDuplicateContentLengths(false)));
    p.addLast(ENCODER, new HttpResponseEncoder());
    p.addLast("proxy", new ForwardHandler(lc, intake, admission, dialer, record));
  }
}
