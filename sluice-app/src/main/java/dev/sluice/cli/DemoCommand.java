package dev.sluice.cli;

import dev.sluice.app.NodeStartException;
import dev.sluice.app.SluiceNode;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.SluiceConfig;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.DemoUpstream;
import dev.sluice.demo.GeneratedAnswers;
import dev.sluice.time.Clock;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: the gateway on the embedded quickstart configuration, in front of a built-in
 * OpenAI-compatible inference API on loopback that streams generated text as SSE chunks. Prints the
 * commands that show metering, a denial and a halt, written for the addresses and data directory in
 * use. {@code --data-dir} and the port options replace the quickstart's {@code data_dir} and binds
 * (port 0 picks a free port; the printed commands name the one bound). The state in the data
 * directory (budgets spent, the ledger, halts) carries over between runs, and the demo says so.
 * Stops (draining) on SIGTERM or Ctrl-C and exits 0 ({@link Termination}).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run the gateway on the embedded default with a built-in demo inference API.")
public final class DemoCommand implements Callable<Integer> {

  /** The upstream the quickstart names; the demo replaces it with its own server. */
  static final String QUICKSTART_UPSTREAM = "upstream: http://127.0.0.1:8000";

  /** The quickstart's lines the options replace. */
  static final String QUICKSTART_DATA_DIR = "data_dir: ./sluice-data";

  static final String QUICKSTART_API_BIND = "bind: 127.0.0.1:8080";
  static final String QUICKSTART_PROXY_BIND = "bind: 127.0.0.1:3128";
  static final String QUICKSTART_ADMIN_BIND = "bind: 127.0.0.1:9901";

  /** The default admin address and data directory: commands need no options for these. */
  private static final String DEFAULT_ADMIN = "127.0.0.1:9901";

  private static final Path DEFAULT_DATA_DIR = Path.of("./sluice-data");

  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "./sluice-data",
      description =
          "Where the demo keeps its ledger, budgets and halts (default: ${DEFAULT-VALUE}); they"
              + " carry over to the next run with the same directory.")
  Path dataDir;

  @Option(
      names = "--api-port",
      paramLabel = "PORT",
      defaultValue = "8080",
      description = "Port of the reverse listener api on 127.0.0.1; 0 picks a free one.")
  int apiPort;

  @Option(
      names = "--proxy-port",
      paramLabel = "PORT",
      defaultValue = "3128",
      description = "Port of the forward listener outbound on 127.0.0.1; 0 picks a free one.")
  int proxyPort;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      defaultValue = "9901",
      description = "Port of the admin API on 127.0.0.1; 0 picks a free one.")
  int adminPort;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    for (int port : new int[] {apiPort, proxyPort, adminPort}) {
      if (port < 0 || port > 65535) {
        err.println("sluice: a port must be 0..65535, got " + port);
        return SluiceCli.EXIT_USAGE;
      }
    }
    boolean earlierRun = Files.exists(dataDir.resolve("ledger"));
    DemoUpstream upstream;
    try {
      upstream = DemoUpstream.start("127.0.0.1", 0, new GeneratedAnswers(1), DemoOptions.demo());
    } catch (RuntimeException e) {
      err.println("sluice: cannot start the demo inference API: " + e.getMessage());
      return SluiceCli.EXIT_IO;
    }
    SluiceConfig config = config(upstream, err);
    if (config == null) {
      upstream.close();
      return SluiceCli.EXIT_USAGE;
    }
    SluiceNode node;
    try {
      node = SluiceNode.start(config, Clock.system());
    } catch (NodeStartException e) {
      upstream.close();
      err.println("sluice: " + e.getMessage());
      return SluiceCli.EXIT_IO;
    }
    PrintWriter out = spec.commandLine().getOut();
    RunCommand.printStarted(node, out);
    out.printf("  demo inference API %s (upstream of listener api)%n%n", upstream.baseUrl());
    out.printf(
        "State (budgets spent, the ledger, halts) is kept in %s and carries over between runs%s;"
            + " day caps reset at 00:00 UTC. For a fresh start: --data-dir NEW_DIR.%n%n",
        config.dataDir(), earlierRun ? " (this run continues an earlier one's)" : "");
    String admin = RunCommand.hostPort(node.admin().address());
    printTour(
        out,
        "http://" + RunCommand.hostPort(node.gateway().address("api")),
        adminOptions(admin, config.dataDir()),
        config.dataDir());
    CountDownLatch stopped = new CountDownLatch(1);
    Termination.onSignal(
        () -> {
          node.close(java.time.Duration.ofSeconds(10));
          upstream.close();
          stopped.countDown();
        });
    stopped.await();
    return 0;
  }

  /**
   * The options {@code status}, {@code halt} and {@code resume} need to reach this node: none for
   * the quickstart's own admin address and data directory, else {@code --admin} and {@code
   * --token-file}.
   */
  static String adminOptions(String admin, Path dataDir) {
    if (admin.equals(DEFAULT_ADMIN) && dataDir.normalize().equals(DEFAULT_DATA_DIR.normalize())) {
      return "";
    }
    return " --admin " + admin + " --token-file " + shellWord(dataDir.resolve("admin.token"));
  }

  /** {@code p} as one shell word: bare when it is plain, else in single quotes. */
  static String shellWord(Path p) {
    String s = p.toString();
    if (s.matches("[A-Za-z0-9_./:=+-]+")) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private SluiceConfig config(DemoUpstream upstream, PrintWriter err) {
    String yaml = ConfigLocator.embeddedQuickstart();
    for (String line :
        List.of(
            QUICKSTART_UPSTREAM,
            QUICKSTART_DATA_DIR,
            QUICKSTART_API_BIND,
            QUICKSTART_PROXY_BIND,
            QUICKSTART_ADMIN_BIND)) {
      if (!yaml.contains(line)) {
        err.println("sluice: the embedded quickstart has no '" + line + "' line");
        return null;
      }
    }
    String url = "http://" + RunCommand.hostPort(upstream.address());
    String dir = dataDir.toString().replace("\\", "\\\\").replace("\"", "\\\"");
    ConfigResult r =
        ConfigLoader.parse(
            "quickstart.yaml (embedded, demo upstream)",
            yaml.replace(QUICKSTART_UPSTREAM, "upstream: " + url)
                .replace(QUICKSTART_DATA_DIR, "data_dir: \"" + dir + "\"")
                .replace(QUICKSTART_API_BIND, "bind: 127.0.0.1:" + apiPort)
                .replace(QUICKSTART_PROXY_BIND, "bind: 127.0.0.1:" + proxyPort)
                .replace(QUICKSTART_ADMIN_BIND, "bind: 127.0.0.1:" + adminPort));
    if (!r.ok()) {
      ConfigLoader.formatAll(r).forEach(err::println);
      return null;
    }
    return r.config();
  }

  /**
   * The answer size of the tour's step 3, under the demo API's cap on one answer ({@link
   * GeneratedAnswers#DEFAULT_MAX_BYTES}, 16 MiB) so that what is asked for is what is sent: three
   * answers (about 15.1 MB each with the JSON around them) fit in tenant default's 50 MB day cap,
   * the fourth does not fit in the 4.6 MB left and is refused whole with a 429, before it starts.
   */
  static final int TOUR_ANSWER_MB = 15;

  /** How many requests the loop of step 3 sends: the last one is the first 429. */
  static final int TOUR_REQUESTS = 4;

  static void printTour(PrintWriter out, String api, String adminOptions, Path dataDir) {
    String chat = api + "/v1/chat/completions";
    String json = "-H 'Content-Type: application/json'";
    String big =
        "-d '{\"model\":\"sluice-demo\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"write "
            + TOUR_ANSWER_MB
            + " MB\"}]}'";
    String dir = shellWord(dataDir);
    StringBuilder loop = new StringBuilder("for i in");
    for (int i = 1; i <= TOUR_REQUESTS; i++) {
      loop.append(' ').append(i);
    }
    List<String> lines =
        List.of(
            "Try it (in another terminal, from this directory):",
            "",
            "  # 1. A streamed chat completion for tenant acme: each SSE event is metered",
            "  curl -sN " + chat + " -H 'X-Tenant: acme' " + json + " \\",
            "    -d '{\"model\":\"sluice-demo\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Why meter egress?\"}]}'",
            "",
            "  # 2. What it cost: spent, sent, held and remaining per node and window",
            "  bin/sluice status" + adminOptions,
            "",
            "  # 3. Spend tenant default's 50 MB day cap with "
                + TOUR_ANSWER_MB
                + " MB answers: 200, 200, 200, then 429",
            "  #    (the 4th answer does not fit in the 4.6 MB left; on a fresh data dir)",
            "  "
                + loop
                + "; do curl -s -o /dev/null -w '%{http_code}\\n' "
                + chat
                + " "
                + json
                + " \\",
            "    " + big + "; done",
            "  curl -s "
                + chat
                + " "
                + json
                + " "
                + big
                + "   # the 429 body names node, window and reset",
            "",
            "  # 4. Stop all egress at once, and resume (ledgered)",
            "  bin/sluice halt"
                + adminOptions
                + " --reason 'demo'; bin/sluice resume"
                + adminOptions,
            "",
            "  # 5. The evidence: every grant, denial, halt and connection",
            "  bin/sluice ledger tail " + dir + " -n 10 && bin/sluice ledger verify " + dir,
            "",
            "Ctrl-C stops the gateway (in-flight streams finish, unspent escrow is returned).");
    lines.forEach(out::println);
    out.flush();
  }
}
