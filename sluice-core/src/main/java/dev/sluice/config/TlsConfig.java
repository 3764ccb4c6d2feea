package dev.sluice.config;

import java.nio.file.Path;
import java.util.Objects;

/** TLS termination for a reverse listener: PEM certificate chain and private key files. */
public record TlsConfig(Path cert, Path key) {

  public TlsConfig {
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
  }
}
