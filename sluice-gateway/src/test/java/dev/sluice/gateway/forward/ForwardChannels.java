package dev.sluice.gateway.forward;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.listener.ConnectionCaps;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client pipeline of a forward listener ({@link ForwardListener}'s decoder, encoder and {@link
 * ForwardHandler}) on an {@code EmbeddedChannel} from 10.1.2.3, for a {@link ListenerFixture} of
 * mode {@code forward}. Names are never resolved: each lookup is added to {@code lookups} and
 * fails. Each lookup is declared to cost {@code lookupBytes} (0 unless given).
 */
public final class ForwardChannels {

  private ForwardChannels() {}

  public static EmbeddedChannel client(ListenerFixture f, List<String> lookups) {
    return client(f, lookups, 0);
  }

  public static EmbeddedChannel client(ListenerFixture f, List<String> lookups, long lookupBytes) {
    return client(f, lookups, lookupBytes, listenerCaps(f));
  }

  /** A client whose connection counts against {@code caps} (shared by the listener's clients). */
  public static EmbeddedChannel client(
      ListenerFixture f, List<String> lookups, ConnectionCaps caps) {
    return client(f, lookups, 0, caps);
  }

  private static ConnectionCaps listenerCaps(ListenerFixture f) {
    return new ConnectionCaps(
        f.lc.config().limits().maxPerSource(), f.lc.config().limits().maxPerTenant());
  }

  private static EmbeddedChannel client(
      ListenerFixture f, List<String> lookups, long lookupBytes, ConnectionCaps caps) {
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
            new LookupGate(
                f.lc,
                new HostResolver() {
                  @Override
                  public List<InetAddress> resolve(String host) throws UnknownHostException {
                    lookups.add(host);
                    throw new UnknownHostException(host);
                  }

                  @Override
                  public long maxLookupBytes(String host) {
                    return lookupBytes;
                  }
                },
                f.lc.config().forward().lookups()),
            new DenyRanges(f.lc.config().forward().denyRanges()));
    ForwardListener.addHttp(
        ch.pipeline(),
        new ForwardHandler(f.lc, intake, new Admission(f.lc), dialer, null, caps.lease()));
    ch.pipeline().fireChannelActive();
    return ch;
  }
}
