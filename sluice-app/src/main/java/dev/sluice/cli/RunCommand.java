package dev.sluice.cli;

import dev.sluice.app.NodeRunner;
import dev.sluice.app.NodeStartException;
import dev.sluice.app.SluiceNode;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.Durations;
import dev.sluice.config.LoggingConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.log.LogFormat;
import dev.sluice.log.Logging;
import dev.sluice.time.Clock;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice run [--config FILE]}: starts every listener of the configuration and the admin API,
 * and runs until SIGTERM or SIGINT, which drain: no new connections, in-flight responses finish or
 * are cut at {@code --drain-timeout}, unspent escrow goes back to the budget, the stop is ledgered
 * and a final checkpoint signed; then the process exits 0 ({@link Termination}). Start-up errors
 * (invalid configuration, port taken, unwritable data dir) print one line and exit non-zero. Log
 * lines are written in {@code logging.format} from the moment the configuration is loaded; with
 * {@code json} the lines saying where the node listens are log lines too.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the gateway (default config: ./sluice.yaml, else the embedded quickstart).")
public final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration file (default: ./sluice.yaml, else the embedded quickstart).")
  Path config;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description =
          "How long in-flight streams may finish at shutdown (default: ${DEFAULT-VALUE}).")
  String drainTimeout;

  @Option(
      names = "--ready-file",
      paramLabel = "FILE",
      description =
          "Once every listener is bound, write a JSON file with the pid and the bound addresses"
              + " (for supervisors and tests using port 0).")
  Path readyFile;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    Duration drain;
    try {
      drain = Durations.parse(drainTimeout);
    } catch (IllegalArgumentException e) {
      err.println("sluice: --drain-timeout: " + e.getMessage());
      return SluiceCli.EXIT_USAGE;
    }
    SluiceConfig cfg = load(err);
    if (cfg == null) {
      return SluiceCli.EXIT_USAGE;
    }
    Logging.use(LogFormat.valueOf(cfg.logging().format().name()));
    PrintWriter out = spec.commandLine().getOut();
    boolean[] first = {true};
    NodeRunner runner =
        new NodeRunner(
            Clock.system(),
            drain,
            n -> {
              if (!first[0]) {
                printStarted(n, out);
              }
              first[0] = false;
              writeReadyFile(n, err);
            });
    SluiceNode node;
    try {
      node = runner.start(cfg);
    } catch (NodeStartException e) {
      err.println("sluice: " + e.getMessage());
      err.flush();
      return SluiceCli.EXIT_IO;
    }
    printStarted(node, out);
    if (readyFile != null && !Files.exists(readyFile)) {
      runner.close();
      return SluiceCli.EXIT_IO;
    }
    Path started = Path.of(cfg.sourceName());
    if (Files.isRegularFile(started)) {
      Hangup.onSignal(() -> runner.reloadFile(started));
    }
    Termination.onSignal(runner::close);
    try {
      runner.stopped().get();
    } catch (java.util.concurrent.ExecutionException e) {
      return SluiceCli.EXIT_IO;
    }
    return 0;
  }

  /** Writes {@code --ready-file} for {@code node}, if asked; a failure is printed. */
  private void writeReadyFile(SluiceNode node, PrintWriter err) {
    if (readyFile == null) {
      return;
    }
    try {
      ReadyFile.write(readyFile, node);
    } catch (java.io.IOException e) {
      err.println("sluice: cannot write --ready-file " + readyFile + ": " + e.getMessage());
      err.flush();
      try {
        Files.deleteIfExists(readyFile);
      } catch (java.io.IOException ignored) {
        // the message above says what went wrong
      }
    }
  }

  /**
   * The configuration, or null after printing every error (one a line). With {@code logging.format:
   * json} its warnings are JSON log lines (logger {@code sluice.config}, the file and line as
   * fields), else text lines as for errors.
   */
  SluiceConfig load(PrintWriter err) {
    ConfigResult r = new ConfigLocator().load(config);
    for (ConfigProblem p : r.errors()) {
      err.println(p.format());
    }
    boolean json = r.ok() && r.config().logging().format() == LoggingConfig.Format.JSON;
    for (ConfigProblem p : r.warnings()) {
      if (json) {
        LoggerFactory.getLogger("sluice.config")
            .atWarn()
            .addKeyValue("file", p.source())
            .addKeyValue("line", p.line())
            .addKeyValue("key", p.path())
            .log(p.format());
      } else {
        err.println(p.format());
      }
    }
    err.flush();
    if (!r.ok()) {
      err.println("sluice: configuration not valid; nothing started");
      err.flush();
      return null;
    }
    return r.config();
  }

  /**
   * Says where the node listens: on {@code out}, or with JSON logs as one log line (logger {@code
   * sluice.run}) with {@code site}, {@code config}, {@code mode}, {@code data_dir}, {@code admin}
   * and one {@code listener.NAME} field per listener.
   */
  static void printStarted(SluiceNode node, PrintWriter out) {
    SluiceConfig c = node.config();
    if (Logging.format() == LogFormat.JSON) {
      LoggingEventBuilder line =
          LoggerFactory.getLogger("sluice.run")
              .atInfo()
              .addKeyValue("site", c.site())
              .addKeyValue("config", c.sourceName())
              .addKeyValue("mode", c.mode().name().toLowerCase(java.util.Locale.ROOT))
              .addKeyValue("data_dir", c.dataDir().toAbsolutePath().normalize().toString())
              .addKeyValue("admin", hostPort(node.admin().address()));
      for (Map.Entry<String, InetSocketAddress> e : node.gateway().addresses().entrySet()) {
        line = line.addKeyValue("listener." + e.getKey(), hostPort(e.getValue()));
      }
      line.log("sluice {} running", c.site());
      return;
    }
    out.printf(
        "sluice %s running (config %s, mode %s, data dir %s)%n",
        c.site(),
        c.sourceName(),
        c.mode().name().toLowerCase(java.util.Locale.ROOT),
        c.dataDir().toAbsolutePath().normalize());
    for (Map.Entry<String, InetSocketAddress> e : node.gateway().addresses().entrySet()) {
      out.printf("  listener %-12s %s%n", e.getKey(), hostPort(e.getValue()));
    }
    out.printf("  admin API         http://%s%n", hostPort(node.admin().address()));
    out.flush();
  }

  static String hostPort(InetSocketAddress a) {
    String h = a.getAddress().getHostAddress();
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
  }
}
