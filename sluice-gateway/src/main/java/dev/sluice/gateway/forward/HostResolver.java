package dev.sluice.gateway.forward;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a destination name into addresses. Blocking: the forward listener calls it only on its own
 * small lookup executor, never on an event loop. Production uses {@link #system()}; tests map names
 * such as {@code api.corp.example} to loopback without DNS.
 */
@FunctionalInterface
public interface HostResolver {

  /**
   * Every address {@code host} (a lower-case DNS name, never an IP literal) resolves to.
   *
   * @throws UnknownHostException when the name does not resolve
   */
  List<InetAddress> resolve(String host) throws UnknownHostException;

  /** The JDK's resolver (the operating system's, with the JDK's cache). */
  static HostResolver system() {
    return host -> List.of(InetAddress.getAllByName(host));
  }
}
