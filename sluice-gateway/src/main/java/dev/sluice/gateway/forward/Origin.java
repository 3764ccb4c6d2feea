package dev.sluice.gateway.forward;

import dev.sluice.gateway.meter.EgressMeter;
import io.netty.channel.Channel;

/**
 * A connection to a destination: its channel, the meter at the head of its pipeline, and the {@code
 * host:port} it was opened for (an absolute-form request to the same one may reuse it).
 */
record Origin(Channel channel, EgressMeter meter, String authority, boolean tunnel) {

  /** Whether a later (non-CONNECT) request for {@code authority} may be sent on this one. */
  boolean reusableFor(String authority) {
    return !tunnel && this.authority.equals(authority) && channel.isActive();
  }
}
