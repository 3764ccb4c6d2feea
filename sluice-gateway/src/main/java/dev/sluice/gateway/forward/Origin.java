package dev.sluice.gateway.forward;

import dev.sluice.gateway.meter.EgressMeter;
import io.netty.channel.Channel;

/**
 * A connection to a destination: its channel, the meter at the head of its pipeline, and the {@code
 * host:port} it was opened for (an absolute-form request to the same one may reuse it).
 */
record Origin(Channel channel, EgressMeter meter, String authority, boolean tunnel) {}
