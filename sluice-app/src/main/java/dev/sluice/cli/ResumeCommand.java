package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice resume [--zone Z]}: lifts the halt of the site, or of one zone, through the running
 * node's admin API. The node lifts it only once the resume is in the ledger; if it cannot ledger
 * it, egress stays halted and this exits 1. Prints any halt still in force (a zone resumed under a
 * halted site is still halted).
 */
@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = "Lift the halt of the site, or of one zone, once it is ledgered.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:resumed (or was not halted)",
      "1:refused (wrong token), not ledgered, overruled by a halt, or the fleet halt could not be"
          + " lifted in etcd (egress stays halted)",
      "2:bad options, configuration or zone",
      "3:admin API not reachable, its certificate not trusted, or token unreadable"
    })
final class ResumeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin AdminTarget target;

  @Option(names = "--zone", paramLabel = "Z", description = "Resume only this zone.")
  String zone;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the ledger.")
  String reason;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      JsonNode r =
          target
              .client()
              .post("/api/resume", HaltCommand.request(zone, reason), target.token())
              .json();
      String scope = r.path("scope").asText();
      if (r.path("changed").asBoolean()) {
        out.printf(
            Locale.ROOT, "resumed %s (ledger entry %d)%n", scope, r.path("ledger_index").asLong());
      } else {
        out.printf(Locale.ROOT, "%s was not halted%n", scope);
      }
      HaltCommand.fleet(out, r);
      for (JsonNode h : r.path("halts")) {
        out.printf(
            Locale.ROOT,
            "still HALTED %s since %s: %s%n",
            h.path("scope").asText(),
            h.path("since").asText(),
            h.path("reason").asText());
      }
      out.flush();
      return 0;
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    }
  }
}
