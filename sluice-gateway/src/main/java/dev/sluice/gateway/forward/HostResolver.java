package dev.sluice.gateway.forward;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns a destination name into addresses. Blocking: the forward listener calls it only on its own
 * small lookup executor, never on an event loop. Production uses {@link #system()}; tests map names
 * such as {@code api.corp.example} to loopback without DNS.
 *
 * <p>A lookup is egress (its queries carry the name out through the site's resolvers), so a
 * resolver also says how many bytes a lookup may send at most ({@link #maxLookupBytes}); the
 * listener charges them before it calls {@link #resolve}.
 */
@FunctionalInterface
public interface HostResolver {

  /**
   * Every address {@code host} (a lower-case DNS name, never an IP literal) resolves to.
   *
   * @throws UnknownHostException when the name does not resolve
   */
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /**
   * The most bytes a lookup of {@code host} may put on the wire, charged before {@link #resolve} is
   * called. Unless a resolver knows better, the most the C library's resolver may send ({@link
   * LookupBound#DEFAULT}).
   */
  default long maxLookupBytes(String host) {
    return LookupBound.DEFAULT.bytes(host);
  }

  /**
   * The JDK's resolver (the operating system's, with the JDK's cache), its lookups bounded as
   * {@code /etc/resolv.conf} and the environment configure the C library's resolver.
   *
   * @throws UncheckedIOException when {@code /etc/resolv.conf} exists and cannot be read
   */
  static HostResolver system() {
    LookupBound bound;
    try {
      bound = LookupBound.read(Path.of("/etc/resolv.conf"), System.getenv());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /etc/resolv.conf: " + e.getMessage(), e);
    }
    return of(host -> List.of(InetAddress.getAllByName(host)), bound);
  }

  /** {@code resolver}, its lookups bounded by {@code bound}. */
  static HostResolver of(HostResolver resolver, LookupBound bound) {
    return new HostResolver() {
      @Override
      public List<InetAddress> resolve(String host) throws UnknownHostException {
        return resolver.resolve(host);
      }

      @Override
      public long maxLookupBytes(String host) {
        return bound.bytes(host);
      }

      @Override
      public String toString() {
        return "HostResolver[" + bound + "]";
      }
    };
  }
}
