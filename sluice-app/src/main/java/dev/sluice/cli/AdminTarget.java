package dev.sluice.cli;

import dev.sluice.admin.AdminToken;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TlsConfig;
import dev.sluice.net.HostPort;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * Where the admin API of a running node is, how to reach it and where its token lies, for the
 * commands that talk to it: {@code --admin HOST:PORT} and {@code --token-file PATH} when given,
 * else {@code admin.bind} and {@code <data_dir>/admin.token} of the configuration ({@code --config
 * FILE}, else {@code ./sluice.yaml}, else the embedded quickstart; see {@link ConfigLocator}). The
 * configuration is read only when an override is missing (or {@code --config} is given). HTTPS,
 * trusting only the certificates of one file, when {@code --admin-ca FILE} is given or the
 * configuration has {@code admin.tls} (then its {@code cert}); plain HTTP otherwise. A picocli
 * mixin.
 */
final class AdminTarget {

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Configuration of the running node (default: ./sluice.yaml if it exists, else the"
              + " embedded quickstart). Gives admin.bind and data_dir.")
  Path configFile;

  @Option(
      names = "--admin",
      paramLabel = "HOST:PORT",
      description = "Admin API address; overrides admin.bind of the configuration.")
  String admin;

  @Option(
      names = "--token-file",
      paramLabel = "PATH",
      description = "Admin token file; overrides <data_dir>/admin.token of the configuration.")
  Path tokenFile;

  @Option(
      names = "--admin-ca",
      paramLabel = "FILE",
      description =
          "PEM certificate(s) to trust for an HTTPS admin API (the node's admin.tls.cert or the"
              + " CA that signed it); implies HTTPS. Default: admin.tls.cert of the configuration"
              + " when admin.tls is set.")
  Path adminCa;

  private SluiceConfig config;

  /** The client for the admin API: HTTPS when {@link #trust()} names certificates, else HTTP. */
  AdminClient client() throws CommandFailure {
    return new AdminClient(address(), trust());
  }

  /**
   * What to trust over HTTPS, or null for plain HTTP: {@code --admin-ca}, else {@code
   * admin.tls.cert} of the configuration when it is read (no {@code --admin}, or {@code --config}
   * given).
   */
  AdminTrust trust() throws CommandFailure {
    if (adminCa != null) {
      return AdminTrust.load(adminCa, "--admin-ca");
    }
    if (admin != null && configFile == null) {
      return null;
    }
    TlsConfig tls = config().admin().tls();
    return tls == null ? null : AdminTrust.load(tls.cert(), "admin.tls.cert");
  }

  /** The address to connect to; a wildcard bind is reached on loopback. */
  HostPort address() throws CommandFailure {
    if (admin != null) {
      try {
        return HostPort.parse(admin);
      } catch (IllegalArgumentException e) {
        throw new CommandFailure(SluiceCli.EXIT_USAGE, "--admin " + admin + ": " + e.getMessage());
      }
    }
    SluiceConfig c = config();
    HostPort bind = c.admin().bind();
    if (bind.port() == 0) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE,
          c.sourceName()
              + ": admin.bind has port 0 (a free port is picked at start);"
              + " pass --admin HOST:PORT as logged by `sluice run`");
    }
    if (bind.isWildcard()) {
      return new HostPort(bind.host().indexOf(':') >= 0 ? "::1" : "127.0.0.1", bind.port());
    }
    return bind;
  }

  /** The admin token, read from the token file. */
  String token() throws CommandFailure {
    Path file = tokenFile != null ? tokenFile : AdminToken.fileIn(config().dataDir());
    try {
      return AdminToken.read(file);
    } catch (NoSuchFileException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO,
          "no admin token at "
              + file
              + ": is `sluice run` running with this configuration? (or pass --token-file)");
    } catch (AccessDeniedException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO,
          "cannot read the admin token "
              + file
              + ": permission denied (run as the user that runs `sluice run`)");
    } catch (IOException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO, "cannot read the admin token " + file + ": " + e.getMessage());
    }
  }

  private SluiceConfig config() throws CommandFailure {
    if (config == null) {
      ConfigResult r = new ConfigLocator().load(configFile);
      if (!r.ok()) {
        throw new CommandFailure(
            SluiceCli.EXIT_USAGE,
            "the configuration is not valid:\n"
                + r.errors().stream().map(ConfigProblem::format).collect(Collectors.joining("\n")));
      }
      config = r.config();
    }
    return config;
  }
}
