package dev.sluice.gateway.forward;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.meter.MeterSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * The pipeline of a destination connection: an {@link EgressMeter} at the head (everything written
 * to the destination is egress and charged to {@code account}, counted into {@code record}), then
 * either a {@link TunnelRelay} (CONNECT) or the HTTP client codec and an {@link OriginHandler}.
 * Sharable: one instance may set up several attempts, one per resolved address.
 */
final class OriginPipeline extends ChannelInitializer<Channel> {

  private final MeterSettings settings;
  private final ConnectionRecord record;
  private final EscrowAccount account;
  private final ForwardHandler client;
  private final boolean tunnel;

  OriginPipeline(
      MeterSettings settings,
      ConnectionRecord record,
      EscrowAccount account,
      ForwardHandler client,
      boolean tunnel) {
    this.settings = settings;
    this.record = record;
    this.account = account;
    this.client = client;
    this.tunnel = tunnel;
  }

  /** The meter of a channel set up here, or null once the channel is torn down. */
  static EgressMeter meterOf(Channel ch) {
    return ch.pipeline().get(EgressMeter.class);
  }

  @Override
  protected void initChannel(Channel ch) {
    EgressMeter meter = new EgressMeter(settings, record, account);
    meter.listener(client);
    ChannelPipeline p = ch.pipeline();
    p.addLast("meter", meter);
    if (tunnel) {
      p.addLast("relay", new TunnelRelay(client.channel()));
      return;
    }
    p.addLast(
        "http",
        new HttpClientCodec(
            new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(32 * 1024)
                .setMaxChunkSize(64 * 1024),
            false,
            false));
    p.addLast("origin", new OriginHandler(client));
  }
}
