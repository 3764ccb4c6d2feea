package dev.sluice.gateway.listener;

import dev.sluice.config.TlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/**
 * The server side of TLS from a {@code tls: { cert, key }} section ({@link TlsConfig}): the one
 * place that loads a PEM certificate chain and private key into a Netty {@link SslContext}, for
 * reverse listeners and for the admin API. Called once at start; a file that cannot be loaded stops
 * the start.
 */
public final class ServerTls {

  private ServerTls() {}

  /**
   * The server context of {@code tls}.
   *
   * @throws SSLException naming both files and the reason when they cannot be loaded (missing,
   *     unreadable, not PEM, key not matching the certificate)
   */
  public static SslContext context(TlsConfig tls) throws SSLException {
    try {
      return SslContextBuilder.forServer(tls.cert().toFile(), tls.key().toFile()).build();
    } catch (Exception e) {
      throw new SSLException(
          "cannot load TLS certificate "
              + tls.cert()
              + " and key "
              + tls.key()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}
