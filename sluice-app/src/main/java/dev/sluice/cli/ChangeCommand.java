package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.ByteSizes;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.Durations;
import dev.sluice.config.ZoneConfig;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.ledger.OperatorKeys;
import dev.sluice.time.Clock;
import dev.sluice.transfer.TransferAllowance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice change approve}, {@code approve-resume} and {@code approve-transfer}: an operator
 * signs an approval (format {@link ChangeApproval}) with their key, bound to the running
 * configuration's hash and to the new file's hash (or to the halt being lifted, or to the large
 * transfer being allowed), expiring after {@code --expires}. The running configuration's hash comes
 * from {@code --running FILE}, or from the running node's {@code GET /api/config} (at {@code
 * --admin}, else the new file's {@code admin.bind}, which a reload cannot change).
 */
@Command(
    name = "change",
    mixinStandardHelpOptions = true,
    description = "Approve a change that loosens (a reload, a resume).",
    subcommands = {
      ChangeCommand.Approve.class,
      ChangeCommand.ApproveResume.class,
      ChangeCommand.ApproveTransfer.class
    })
final class ChangeCommand implements Runnable {

  /** The longest an approval may live. */
  static final Duration MAX_EXPIRY = Duration.ofDays(7);

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The options both kinds of approval share. */
  abstract static class Signing implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "NAME.key.")
    Path key;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Approval file.")
    Path out;

    @Option(
        names = "--expires",
        paramLabel = "DURATION",
        defaultValue = "1h",
        description = "How long the approval is valid (default ${DEFAULT-VALUE}, at most 7d).")
    String expires;

    @Option(
        names = "--admin",
        paramLabel = "HOST:PORT",
        description = "Admin API of the running node (for its configuration's hash).")
    String admin;

    /** The subject and running hash of the approval. */
    abstract String[] subject() throws CommandFailure;

    abstract String kind();

    @Override
    public Integer call() {
      try {
        Duration d;
        try {
          d = Durations.parse(expires);
        } catch (IllegalArgumentException e) {
          throw new CommandFailure(SluiceCli.EXIT_USAGE, "--expires: " + e.getMessage());
        }
        if (d.isZero() || d.compareTo(MAX_EXPIRY) > 0) {
          throw new CommandFailure(SluiceCli.EXIT_USAGE, "--expires must be 1s..7d");
        }
        OperatorKeys.Private k;
        try {
          k = OperatorKeys.parsePrivate(Files.readString(key, StandardCharsets.US_ASCII));
        } catch (IOException e) {
          throw new CommandFailure(SluiceCli.EXIT_USAGE, "--key " + key + ": cannot read: " + e);
        } catch (IllegalArgumentException e) {
          throw new CommandFailure(SluiceCli.EXIT_USAGE, "--key " + key + ": " + e.getMessage());
        }
        String[] s = subject();
        // The approver's own wall clock sets the expiry; the node checks it with its clock.
        long until = Math.addExact(Clock.system().millis() / 1000, d.toSeconds());
        ChangeApproval a = ChangeApproval.sign(k, kind(), s[0], s[1], until);
        try {
          Files.writeString(
              out,
              a.encode(),
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE);
        } catch (IOException e) {
          throw new CommandFailure(SluiceCli.EXIT_IO, "--out " + out + ": " + e);
        }
        var o = spec.commandLine().getOut();
        o.printf(
            "%s approved %s %s (running %s) until %s: %s%n",
            k.name(), kind(), s[1], s[0], a.expiresText(), out);
        o.flush();
        return 0;
      } catch (CommandFailure e) {
        return Failures.report(spec, e);
      }
    }

    /** The running node's {@code GET /api/config}, at {@code --admin} or {@code configFile}'s. */
    JsonNode running(Path configFile) throws CommandFailure {
      AdminTarget t = new AdminTarget();
      t.admin = admin;
      t.configFile = configFile;
      return t.client().get("/api/config").json();
    }
  }

  @Command(
      name = "approve",
      mixinStandardHelpOptions = true,
      description = "Approve reloading the running node with a new configuration file.")
  static final class Approve extends Signing {

    @Option(
        names = "--config",
        required = true,
        paramLabel = "NEW.yaml",
        description = "The new configuration file being approved.")
    Path config;

    @Option(
        names = "--running",
        paramLabel = "FILE",
        description = "The running configuration file (default: ask the running node).")
    Path runningFile;

    @Override
    String kind() {
      return ChangeApproval.KIND_CONFIG;
    }

    @Override
    String[] subject() throws CommandFailure {
      String next = sha(config, "--config");
      String was =
          runningFile != null
              ? sha(runningFile, "--running")
              : running(config).path("sha256").asText();
      return new String[] {was, next};
    }

    private static String sha(Path file, String option) throws CommandFailure {
      try {
        return ConfigLoader.sha256Hex(Files.readAllBytes(file));
      } catch (IOException e) {
        throw new CommandFailure(SluiceCli.EXIT_USAGE, option + " " + file + ": " + e);
      }
    }
  }

  @Command(
      name = "approve-resume",
      mixinStandardHelpOptions = true,
      description = "Approve lifting the halt now in force on the site or a zone.")
  static final class ApproveResume extends Signing {

    @Option(names = "--zone", paramLabel = "Z", description = "The zone (default: the site).")
    String zone;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Configuration of the running node (for admin.bind).")
    Path config;

    @Override
    String kind() {
      return ChangeApproval.KIND_RESUME;
    }

    @Override
    String[] subject() throws CommandFailure {
      JsonNode r = running(config);
      String scope = zone == null ? "site" : zone;
      for (JsonNode h : r.path("halts")) {
        if (h.path("scope").asText().equals(scope)) {
          return new String[] {
            r.path("sha256").asText(), scope + "@" + h.path("since_millis").asLong()
          };
        }
      }
      throw new CommandFailure(SluiceCli.EXIT_CHECK_FAILED, scope + " is not halted");
    }
  }

  @Command(
      name = "approve-transfer",
      mixinStandardHelpOptions = true,
      description =
          "Approve single transfers above the zone's max_transfer: a tenant, a destination, a size.")
  static final class ApproveTransfer extends Signing {

    @Option(
        names = "--config",
        required = true,
        paramLabel = "RUNNING.yaml",
        description = "The running configuration file (the approval is bound to its hash).")
    Path config;

    @Option(
        names = "--zone",
        paramLabel = "Z",
        description = "The zone (default: the one zone that has the tenant).")
    String zone;

    @Option(names = "--tenant", required = true, paramLabel = "T", description = "The tenant.")
    String tenant;

    @Option(
        names = "--destination",
        required = true,
        paramLabel = "D",
        description =
            "Host (forward mode) or request path (reverse mode); a trailing * matches a prefix.")
    String destination;

    @Option(
        names = "--size",
        required = true,
        paramLabel = "SIZE",
        description = "The largest single transfer allowed, e.g. 2GiB.")
    String size;

    @Override
    String kind() {
      return ChangeApproval.KIND_TRANSFER;
    }

    @Override
    String[] subject() throws CommandFailure {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(config);
      } catch (IOException e) {
        throw new CommandFailure(SluiceCli.EXIT_USAGE, "--config " + config + ": " + e);
      }
      ConfigResult r =
          ConfigLoader.parse(config.toString(), new String(bytes, StandardCharsets.UTF_8));
      if (!r.ok()) {
        throw new CommandFailure(
            SluiceCli.EXIT_USAGE,
            "--config "
                + config
                + " is not valid:\n"
                + String.join("\n", ConfigLoader.formatAll(r)));
      }
      String z = zone;
      if (z == null) {
        List<String> having =
            r.config().budgets().zones().values().stream()
                .filter(c -> c.tenants().containsKey(tenant))
                .map(ZoneConfig::name)
                .toList();
        if (having.size() != 1) {
          throw new CommandFailure(
              SluiceCli.EXIT_USAGE,
              "--tenant "
                  + tenant
                  + " is in "
                  + (having.isEmpty() ? "no zone" : "zones " + having + "; name one with --zone"));
        }
        z = having.get(0);
      } else if (r.config().zone(z) == null || !r.config().zone(z).tenants().containsKey(tenant)) {
        throw new CommandFailure(
            SluiceCli.EXIT_USAGE, "zone " + z + " has no tenant " + tenant + " in " + config);
      }
      long n;
      try {
        n = ByteSizes.parse(size);
      } catch (IllegalArgumentException e) {
        throw new CommandFailure(SluiceCli.EXIT_USAGE, "--size " + size + ": " + e.getMessage());
      }
      try {
        return new String[] {
          ConfigLoader.sha256Hex(bytes), TransferAllowance.subject(z, tenant, n, destination)
        };
      } catch (IllegalArgumentException e) {
        throw new CommandFailure(SluiceCli.EXIT_USAGE, e.getMessage());
      }
    }
  }
}
