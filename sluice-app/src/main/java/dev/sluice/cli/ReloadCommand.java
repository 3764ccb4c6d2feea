package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.Durations;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice reload --config NEW.yaml [--approval FILE]...}: sends the new configuration and its
 * approvals to the running node ({@code POST /api/reload}; the node is found through the new file's
 * {@code admin.bind} and {@code data_dir}, which a reload cannot change, or {@code --admin} and
 * {@code --token-file}). The node checks and ledgers the change and either refuses it, printed here
 * with what loosens and why each approval did not count, or replaces itself; this then waits (up to
 * {@code --wait}) until {@code GET /api/config} shows the new file's hash.
 */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description = "Apply a new configuration to the running node (loosening needs approvals).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:applied (or already running)",
      "1:refused (approvals, restart needed, not ledgered) or not applied in time",
      "2:bad options, or the new configuration is not valid",
      "3:admin API not reachable or token unreadable"
    })
final class ReloadCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin AdminTarget target;

  @Option(
      names = "--approval",
      paramLabel = "FILE",
      description = "An approval from `sluice change approve` (repeat for each operator).")
  List<Path> approvals = new ArrayList<>();

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description = "How long to wait for the new configuration to run (default ${DEFAULT-VALUE}).")
  String wait;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      if (target.configFile == null) {
        throw new CommandFailure(SluiceCli.EXIT_USAGE, "--config NEW.yaml is required");
      }
      Duration patience = Durations.parse(wait);
      byte[] bytes = read(target.configFile);
      String sha = ConfigLoader.sha256Hex(bytes);
      StringBuilder all = new StringBuilder();
      for (Path a : approvals) {
        all.append(new String(read(a), StandardCharsets.UTF_8));
      }
      ObjectNode body = AdminClient.JSON.createObjectNode();
      body.put("config", new String(bytes, StandardCharsets.UTF_8));
      body.put("source", target.configFile.toString());
      body.put("approvals", all.toString());
      AdminClient client = target.client();
      JsonNode r = client.post("/api/reload", body, target.token()).json();
      for (JsonNode l : r.path("loosens")) {
        out.printf("loosens: %s%n", l.asText());
      }
      if (r.path("approved_by").size() > 0) {
        List<String> ops = new ArrayList<>();
        r.path("approved_by").forEach(o -> ops.add(o.asText()));
        out.printf("approved by: %s%n", String.join(", ", ops));
      }
      if (r.path("status").asText().equals("unchanged")) {
        out.printf("%s is already the running configuration%n", sha);
        out.flush();
        return 0;
      }
      out.printf("applying %s ...%n", sha);
      out.flush();
      long deadline = Clock.system().millis() + patience.toMillis();
      while (Clock.system().millis() < deadline) {
        try {
          if (sha.equals(client.get("/api/config").json().path("sha256").asText())) {
            out.printf("reloaded: %s runs %s%n", target.address(), sha);
            out.flush();
            return 0;
          }
        } catch (CommandFailure e) {
          // the node is being replaced: its admin API is down for a moment
        }
        Thread.sleep(200);
      }
      throw new CommandFailure(
          SluiceCli.EXIT_CHECK_FAILED,
          "the node did not run " + sha + " within " + wait + "; see its log and ledger");
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    } catch (IllegalArgumentException e) {
      return Failures.report(
          spec, new CommandFailure(SluiceCli.EXIT_USAGE, "--wait: " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return SluiceCli.EXIT_IO;
    }
  }

  private static byte[] read(Path file) throws CommandFailure {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CommandFailure(SluiceCli.EXIT_USAGE, "cannot read " + file + ": " + e);
    }
  }
}
