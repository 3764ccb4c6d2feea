package dev.sluice.gateway.edge;

import dev.sluice.gateway.evidence.ConnectionRecord;

/**
 * Builds the listener's pipeline on a new stream's channel, after its {@link StreamMeter} (the same
 * handlers a direct client's socket gets), with the stream's own connection record.
 */
@FunctionalInterface
public interface StreamInit {
  void init(StreamChannel ch, StreamMeter meter, ConnectionRecord record);
}
