package dev.sluice.gateway.forward;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.listener.ConnectionCaps;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client pipeline of a forward listener ({@link ForwardListener}'s decoder, encoder and {@link
 * ForwardHandler}) on an {@code EmbeddedChannel} from 10.1.2.3, for a {@link ListenerFixture} of
 * mode {@code forward}. Names are never resolved: each lookup is added to {@code lookups} and
 * fails.
 */
public final class ForwardChannels {

  private ForwardChannels() {}

  public static EmbeddedChannel client(ListenerFixture f, List<String> lookups) {
    return client(
        f,
        lookups,
        new ConnectionCaps(
            f.lc.config().limits().maxPerSource(), f.lc.config().limits().maxPerTenant()));
  }

  /** A client whose connection counts against {@code caps} (shared by the listener's clients). */
  public static EmbeddedChannel client(
      ListenerFixture f, List<String> lookups, ConnectionCaps caps) {
    EmbeddedChannel ch =
        new EmbeddedChannel() {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("10.1.2.3", 40000);
          }
        };
    Intake intake =
        new Intake(new ProxyIdentity(f.lc), new DestinationPolicy(f.config.zone(f.lc.zone())));
    Dialer dialer =
        new Dialer(
            f.lc,
            new Lookups(
                host -> {
                  lookups.add(host);
                  throw new UnknownHostException(host);
                },
                f.lc.name()),
            new DenyRanges(f.lc.config().forward().denyRanges()));
    ForwardListener.addHttp(
        ch.pipeline(),
        new ForwardHandler(f.lc, intake, new Admission(f.lc), dialer, null, caps.lease()));
    ch.pipeline().fireChannelActive();
    return ch;
  }
}
