package dev.sluice.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS termination, written {@code tls: { cert: PATH, key: PATH }}: a PEM certificate chain and its
 * PEM private key (PKCS#8, unencrypted). Used by reverse listeners ({@code listeners[i].tls}) and
 * by the admin API ({@code admin.tls}); the files are read at start, not by the config check.
 */
public record TlsConfig(Path cert, Path key) {

  public TlsConfig {
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
  }

  /** Reads a {@code tls} map; {@code null} (with errors reported) when it is not whole. */
  static TlsConfig read(Cursor at) {
    YamlMap m = at.map();
    if (m == null) {
      return null;
    }
    m.allow("cert", "key");
    Cursor certAt = m.require("cert");
    Cursor keyAt = m.require("key");
    Path cert = certAt == null ? null : Scalars.path(certAt);
    Path key = keyAt == null ? null : Scalars.path(keyAt);
    return cert == null || key == null ? null : new TlsConfig(cert, key);
  }
}
