package dev.sluice.gateway.edge;

import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.EgressMeter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;

/**
 * Wires the gateway's end of an edge link into an accepted connection's pipeline, in one place:
 *
 * <pre>
 *   meter      EgressMeter in link mode: checks what goes to the socket against what the link
 *              paid ahead, charges anything beyond it (TLS handshake, alerts) to control
 *   tls        optional TLS (then frames carry no CRC)
 *   mux-codec  MuxFrameCodec: the version 2 framing
 *   mux        GatewayMux: handshake, streams, flow control, frames (FrameWriter)
 * </pre>
 *
 * and on each stream's {@link StreamChannel}: {@code meter} ({@link StreamMeter}) and then the
 * listener's own handlers ({@link StreamInit}), from the protocol codec up. This is the compress
 * slot of {@link Stages} ({@link Stages#EDGE_CODEC}); a scan stage on a stream goes right after the
 * stream's meter, so it sees the plain bytes before they are coded.
 */
public final class EdgeLinks {

  private EdgeLinks() {}

  /** Builds the link's pipeline on {@code ch}; each stream gets {@code init}'s handlers. */
  public static void addGatewaySide(
      Channel ch, ListenerContext lc, SslContext tls, LinkSettings settings, StreamInit init) {
    InetSocketAddress remote = (InetSocketAddress) ch.remoteAddress();
    ConnectionRecord linkRecord =
        new ConnectionRecord(
            lc.name(),
            lc.zone(),
            remote == null ? "-" : remote.getAddress().getHostAddress() + ":" + remote.getPort(),
            lc.clock().millis(),
            lc.clock().nanos());
    EgressMeter meter = EgressMeter.forLink(lc.meter(), linkRecord);
    ChannelPipeline p = ch.pipeline();
    p.addLast(Stages.METER, meter);
    if (tls != null) {
      p.addLast(Stages.TLS, tls.newHandler(ch.alloc()));
    }
    MuxFrameCodec codec = new MuxFrameCodec(LinkSide.GATEWAY, tls == null);
    p.addLast(Stages.EDGE_CODEC, codec);
    p.addLast("mux", new GatewayMux(settings, lc, init, codec, meter, linkRecord, tls, null));
  }
}
