package dev.sluice.gateway.edge;

import dev.sluice.codec.CodecModel;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.meter.EgressMeter;
import io.netty.channel.ChannelPipeline;

/** Wires the gateway's end of an edge link into a listener's pipeline, in one place. */
public final class EdgeLinks {

  /** Name of the frame codec in the pipeline. */
  public static final String CODEC = "link-codec";

  /** Name of the {@link GatewayLinkHandler} in the pipeline. */
  public static final String HANDLER = "link";

  private EdgeLinks() {}

  /**
   * Adds [{@link LinkFrameCodec}, {@link GatewayLinkHandler}] at the end of {@code p}, which must
   * hold the {@link EgressMeter} (and TLS, if any) already; the listener's HTTP handlers go after.
   */
  public static void addGatewaySide(
      ChannelPipeline p,
      CodecModel model,
      EgressMeter meter,
      ConnectionRecord record,
      EdgeStats stats) {
    LinkFrameCodec codec = new LinkFrameCodec(LinkSide.GATEWAY);
    p.addLast(CODEC, codec);
    p.addLast(HANDLER, new GatewayLinkHandler(model, meter, codec, record, stats));
  }
}
