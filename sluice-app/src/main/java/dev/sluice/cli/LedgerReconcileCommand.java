package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.EtcdListing;
import dev.sluice.cluster.LedgerSets;
import dev.sluice.cluster.ReconcileReport;
import dev.sluice.cluster.Reconciliation;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.Durations;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.StoreConfig;
import dev.sluice.config.StoreType;
import dev.sluice.ledger.LedgerCorruptionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice ledger reconcile DIR...}: merges the gateway nodes' ledgers and checks them against
 * the etcd counters of their site ({@link Reconciliation}). Read-only: the ledgers are read
 * offline, etcd only with range reads. etcd's endpoints and prefix and the site's time zone come
 * from the options, else from the configuration ({@code --config FILE}, else {@code
 * ./sluice.yaml}); the time zone, failing both, from the ledgers' START entries.
 */
@Command(
    name = "reconcile",
    mixinStandardHelpOptions = true,
    description = {
      "Check the gateway nodes' ledgers against the etcd counters of their site: every counter and"
          + " sent key of the periods the ledgers cover must equal what the ledgers say was"
          + " granted minus returned (and sent). Each difference is shown with both values and its"
          + " most likely cause. Read-only: etcd gets range reads only.",
      "",
      "Give every gateway node's ledger of the site; a node in etcd without a ledger here shows"
          + " as differences attributed to it."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every compared counter matches",
      "1:a counter differs, or a ledger does not verify, or another problem was found",
      "2:bad options or configuration, or one node's ledger given twice",
      "3:a ledger cannot be read, or etcd cannot be reached"
    })
final class LedgerReconcileCommand implements Callable<Integer> {

  /** The deadline of each etcd read unless {@code --timeout} says otherwise. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "DIR",
      description =
          "One gateway node's ledger directory, or its data directory holding ledger/; one per"
              + " node.")
  List<Path> dirs;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "A node's configuration (default: ./sluice.yaml if it exists): gives store.endpoints,"
              + " store.prefix and time_zone unless they are given as options.")
  Path configFile;

  @Option(
      names = "--endpoints",
      split = ",",
      paramLabel = "URL",
      description = "etcd client URLs, http://host:port, comma-separated.")
  List<String> endpoints;

  @Option(
      names = "--prefix",
      paramLabel = "P",
      description = "Key prefix of the site's budget in etcd, e.g. /sluice/dc-1.")
  String prefix;

  @Option(
      names = "--time-zone",
      paramLabel = "Z",
      description =
          "The site's time zone (decides which day, week and month a set counts in); default:"
              + " time_zone of the configuration, else the one the ledgers' START entries name.")
  String timeZone;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "Deadline of each etcd read (default: 10s).")
  String timeout;

  @Option(
      names = "--no-verify",
      description =
          "Do not verify the ledgers first (by default a ledger that does not verify is reported"
              + " and not reconciled).")
  boolean noVerify;

  @Option(names = "--json", description = "Print the report as JSON (sluice-reconcile/v1).")
  boolean json;

  /** Where etcd is and which zone the periods are in. */
  private record Target(List<URI> endpoints, String prefix, ZoneId zone) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      Duration deadline = deadline();
      Target target = target();
      List<LedgerSets> ledgers = new ArrayList<>();
      for (Path dir : dirs) {
        ledgers.add(read(dir));
      }
      ZoneId zone = target.zone() != null ? target.zone() : zoneOfLedgers(ledgers);
      EtcdListing listing;
      try {
        listing = EtcdListing.read(target.endpoints(), target.prefix(), deadline);
      } catch (IOException e) {
        throw new CommandFailure(
            SluiceCli.EXIT_IO,
            "etcd at "
                + endpointList(target.endpoints())
                + " (prefix "
                + target.prefix()
                + "): "
                + e.getMessage());
      }
      ReconcileReport report;
      try {
        report = Reconciliation.run(ledgers, listing, zone);
      } catch (IllegalArgumentException e) {
        throw new CommandFailure(SluiceCli.EXIT_USAGE, e.getMessage());
      }
      if (json) {
        out.println(
            new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(report.toJson()));
      } else {
        ReconcileText.print(report, endpointList(target.endpoints()), out);
      }
      out.flush();
      return report.ok() ? 0 : SluiceCli.EXIT_CHECK_FAILED;
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print the report as JSON", e);
    }
  }

  private Duration deadline() throws CommandFailure {
    if (timeout == null) {
      return DEFAULT_TIMEOUT;
    }
    try {
      Duration d = Durations.parse(timeout);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE, "--timeout " + timeout + ": " + e.getMessage());
    }
  }

  /** Endpoints, prefix and zone from the options, the rest from the configuration. */
  private Target target() throws CommandFailure {
    List<URI> eps = null;
    if (endpoints != null) {
      eps = new ArrayList<>();
      for (String e : endpoints) {
        try {
          eps.add(StoreConfig.checkEndpoint(e.trim()));
        } catch (IllegalArgumentException ex) {
          throw new CommandFailure(
              SluiceCli.EXIT_USAGE, "--endpoints " + e + ": " + ex.getMessage());
        }
      }
    }
    String p = prefix;
    if (p != null) {
      try {
        StoreConfig.checkPrefix(p);
      } catch (IllegalArgumentException ex) {
        throw new CommandFailure(SluiceCli.EXIT_USAGE, "--prefix " + p + ": " + ex.getMessage());
      }
    }
    ZoneId zone = null;
    if (timeZone != null) {
      try {
        zone = ZoneId.of(timeZone);
      } catch (DateTimeException ex) {
        throw new CommandFailure(
            SluiceCli.EXIT_USAGE, "--time-zone " + timeZone + ": not a time zone id");
      }
    }
    if (configFile != null || eps == null || p == null) {
      SluiceConfig c = config();
      StoreConfig.Etcd etcd = c.store().type() == StoreType.ETCD ? c.store().etcd() : null;
      if (etcd == null && (eps == null || p == null)) {
        throw new CommandFailure(
            SluiceCli.EXIT_USAGE,
            c.sourceName()
                + " does not use an etcd store (store.type is local): give --endpoints and"
                + " --prefix, or --config with a node's etcd configuration");
      }
      if (eps == null) {
        eps = etcd.endpoints();
      }
      if (p == null) {
        p = etcd.prefix();
      }
      if (zone == null) {
        zone = c.timeZone();
      }
    }
    return new Target(eps, p, zone);
  }

  private SluiceConfig config() throws CommandFailure {
    ConfigResult r = new ConfigLocator().load(configFile);
    if (!r.ok()) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE,
          "the configuration is not valid:\n"
              + r.errors().stream().map(ConfigProblem::format).collect(Collectors.joining("\n")));
    }
    return r.config();
  }

  private LedgerSets read(Path dir) throws CommandFailure {
    try {
      return LedgerSets.read(dir, !noVerify);
    } catch (NoSuchFileException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO, "no ledger at " + dir + " (" + e.getReason() + ")");
    } catch (LedgerCorruptionException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_CHECK_FAILED,
          "ledger "
              + dir
              + " is corrupt (run without --no-verify to reconcile the others): "
              + e.getMessage());
    } catch (IOException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO, "cannot read the ledger at " + dir + ": " + e.getMessage());
    }
  }

  /** The one time zone the ledgers' START entries name. */
  private static ZoneId zoneOfLedgers(List<LedgerSets> ledgers) throws CommandFailure {
    Set<String> zones = new TreeSet<>();
    for (LedgerSets l : ledgers) {
      zones.addAll(l.timeZones());
    }
    if (zones.size() != 1) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE,
          "give --time-zone (or --config): "
              + (zones.isEmpty()
                  ? "the ledgers do not name the time zone their nodes ran in"
                  : "the ledgers' nodes ran in several time zones: " + String.join(", ", zones)));
    }
    try {
      return ZoneId.of(zones.iterator().next());
    } catch (DateTimeException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_USAGE,
          "give --time-zone: the ledgers name time zone " + zones.iterator().next());
    }
  }

  private static String endpointList(List<URI> eps) {
    return eps.stream().map(URI::toString).collect(Collectors.joining(","));
  }
}
