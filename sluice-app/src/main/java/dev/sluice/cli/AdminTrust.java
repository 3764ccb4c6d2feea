package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What the CLI trusts when it talks HTTPS to an admin API: exactly the certificates of one PEM file
 * (the node's {@code admin.tls.cert}, or the CA of {@code --admin-ca}), not the system's CAs. The
 * client also checks that the certificate names the host it connects to.
 *
 * @param file the PEM file
 * @param origin where the file was named, for messages ({@code --admin-ca} or {@code
 *     admin.tls.cert})
 * @param context a client context trusting only the file's certificates
 */
record AdminTrust(Path file, String origin, SSLContext context) {

  /**
   * Loads the certificates of {@code file}.
   *
   * @throws CommandFailure exit 2 when the file cannot be read or holds no certificate
   */
  static AdminTrust load(Path file, String origin) throws CommandFailure {
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(file)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (NoSuchFileException e) {
      throw new CommandFailure(SluiceCli.EXIT_USAGE, origin + " " + file + ": no such file");
    } catch (IOException | GeneralSecurityException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE,
          origin + " " + file + ": cannot read PEM certificates: " + e.getMessage());
    }
    if (certs.isEmpty()) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE, origin + " " + file + ": no PEM certificate in the file");
    }
    try {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        trusted.setCertificateEntry("admin-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return new AdminTrust(file, origin, context);
    } catch (IOException | GeneralSecurityException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO, "cannot set up TLS trusting " + file + ": " + e.getMessage());
    }
  }
}
