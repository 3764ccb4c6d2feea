package dev.sluice.gateway.forward;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for a test TLS server, made by the JDK's own {@code keytool} into a
 * temporary PKCS12 file (no BouncyCastle, no internal JDK classes), with the key managers for the
 * server and an {@link SSLContext} that trusts exactly that certificate for the client.
 */
public final class TestCertificates {

  private static final char[] PASSWORD = "changeit".toCharArray();

  final KeyManagerFactory keyManagers;
  public final SSLContext clientContext;
  final Path pkcs12;

  private TestCertificates(KeyManagerFactory kmf, SSLContext client, Path pkcs12) {
    this.keyManagers = kmf;
    this.clientContext = client;
    this.pkcs12 = pkcs12;
  }

  /** A certificate for {@code dnsName} (subject and SAN), valid for two days. */
  public static TestCertificates selfSigned(Path dir, String dnsName) throws Exception {
    return selfSigned(dir, dnsName, new String[0]);
  }

  /**
   * A certificate for {@code dnsName} and the IP addresses {@code ips} (SAN entries, so a client
   * that connects to {@code 127.0.0.1} can verify it), valid for two days.
   */
  public static TestCertificates selfSigned(Path dir, String dnsName, String... ips)
      throws Exception {
    StringBuilder san = new StringBuilder("SAN=dns:").append(dnsName);
    for (String ip : ips) {
      san.append(",ip:").append(ip);
    }
    Path store = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + dnsName,
                "-ext",
                san.toString(),
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                new String(PASSWORD),
                "-keypass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("keytool.log").toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException("keytool did not finish");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          "keytool failed: " + Files.readString(dir.resolve("keytool.log")));
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD);
    Certificate cert = ks.getCertificate("server");
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("server", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    return new TestCertificates(kmf, client, store);
  }

  /**
   * Writes the certificate and its private key as PEM files (X.509 certificate, unencrypted PKCS#8
   * key), the format of a listener's {@code tls: { cert, key }}.
   */
  public void writePem(Path certFile, Path keyFile) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(pkcs12)) {
      ks.load(in, PASSWORD);
    }
    java.util.Base64.Encoder b64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes());
    Files.writeString(
        certFile,
        "-----BEGIN CERTIFICATE-----\n"
            + b64.encodeToString(ks.getCertificate("server").getEncoded())
            + "\n-----END CERTIFICATE-----\n");
    Files.writeString(
        keyFile,
        "-----BEGIN PRIVATE KEY-----\n"
            + b64.encodeToString(ks.getKey("server", PASSWORD).getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
  }
}
