package dev.sluice.gateway.forward;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.transfer.MaxTransfer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A request of a forward connection being admitted ({@link ForwardHandler}), with what the client
 * asked for before its head was rewritten: to keep the connection open, and an interim 100
 * Continue; and its largest single transfer ({@code transferLimit}: the zone's, or an approved
 * one).
 */
record PendingRequest(
    HttpRequest request,
    RequestTarget target,
    EscrowAccount account,
    boolean keepAlive,
    boolean expectContinue,
    MaxTransfer transferLimit) {

  /**
   * On a stream of an edge link ({@code peer: edge}: the client's pipeline has a meter), the stream
   * toward the edge carries this exchange too: its bytes are paid from this request's account,
   * counted from here as one transfer against {@link #transferLimit} (as toward the destination),
   * and its refusals go to {@code listener} (ledgered, then answered or cut). Nothing otherwise.
   */
  void bindStream(ChannelPipeline client, ConnectionMeter.Listener listener) {
    if (client.get("meter") instanceof ConnectionMeter link) {
      link.account(account);
      link.listener(listener);
      link.markMessageStart();
      link.maxTransfer(transferLimit);
    }
  }
}
