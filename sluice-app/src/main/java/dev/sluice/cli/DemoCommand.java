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
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: the gateway on the embedded quickstart configuration, in front of a built-in
 * OpenAI-compatible inference API on loopback that streams generated text as SSE chunks. Prints the
 * commands that show metering, a denial and a halt. Stops (draining) on Ctrl-C.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run the gateway on the embedded default with a built-in demo inference API.")
public final class DemoCommand implements Callable<Integer> {

  /** The upstream the quickstart names; the demo replaces it with its own server. */
  static final String QUICKSTART_UPSTREAM = "upstream: http://127.0.0.1:8000";

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
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
    printTour(out, "http://" + RunCommand.hostPort(node.gateway().address("api")));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  node.close(java.time.Duration.ofSeconds(10));
                  upstream.close();
                  stopped.countDown();
                },
                "sluice-demo-shutdown"));
    stopped.await();
    return 0;
  }

  private static SluiceConfig config(DemoUpstream upstream, PrintWriter err) {
    String yaml = ConfigLocator.embeddedQuickstart();
    if (!yaml.contains(QUICKSTART_UPSTREAM)) {
      err.println("sluice: the embedded quickstart has no '" + QUICKSTART_UPSTREAM + "' line");
      return null;
    }
    String url = "http://" + RunCommand.hostPort(upstream.address());
    ConfigResult r =
        ConfigLoader.parse(
            "quickstart.yaml (embedded, demo upstream)",
            yaml.replace(QUICKSTART_UPSTREAM, "upstream: " + url));
    if (!r.ok()) {
      ConfigLoader.formatAll(r).forEach(err::println);
      return null;
    }
    return r.config();
  }

  static void printTour(PrintWriter out, String api) {
    String chat = api + "/v1/chat/completions";
    String json = "-H 'Content-Type: application/json'";
    List<String> lines =
        List.of(
            "Try it (in another terminal, from this directory):",
            "",
            "  # 1. A streamed chat completion for tenant acme: each SSE event is metered",
            "  curl -sN " + chat + " -H 'X-Tenant: acme' " + json + " \\",
            "    -d '{\"model\":\"sluice-demo\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Why meter egress?\"}]}'",
            "",
            "  # 2. What it cost: spent, sent and remaining per node and window",
            "  bin/sluice status",
            "",
            "  # 3. Spend tenant default's 50 MB day cap with 20 MB answers: 200, 200, then 429",
            "  for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code}\\n' "
                + chat
                + " "
                + json
                + " \\",
            "    -d '{\"model\":\"sluice-demo\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"write 20 MB\"}]}'; done",
            "  curl -s "
                + chat
                + " "
                + json
                + " -d '{\"model\":\"sluice-demo\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}'   # the 429 body names node, window and reset",
            "",
            "  # 4. Stop all egress at once, and resume (ledgered)",
            "  bin/sluice halt --reason 'demo'; bin/sluice resume",
            "",
            "  # 5. The evidence: every grant, denial, halt and connection",
            "  bin/sluice ledger tail sluice-data -n 10 && bin/sluice ledger verify sluice-data",
            "",
            "Ctrl-C stops the gateway (in-flight streams finish, unspent escrow is returned).");
    lines.forEach(out::println);
    out.flush();
  }
}
