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
 * {@code sluice resume [--zone Z] [--approval FILE]...}: lifts the halt of the site, or of one
 * zone, through the running node's admin API; with {@code change_control} it needs approvals from
 * {@code sluice change approve-resume}. The node lifts it only once the resume is in the ledger; if
 * it cannot ledger it, egress stays halted and this exits 1. Prints any halt still in force (a zone
 * resumed under a halted site is still halted).
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

  @Option(
      names = "--approval",
      paramLabel = "FILE",
      description =
          "With change_control: an approval from `sluice change approve-resume` (repeat for each"
              + " operator).")
  java.util.List<java.nio.file.Path> approvals = new java.util.ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      JsonNode r = target.client().post("/api/resume", request(), target.token()).json();
      String scope = r.path("scope").asText();
      if (r.path("changed").asBoolean()) {
        out.printf(
            Locale.ROOT, "resumed %s (ledger entry %d)%n", scope, r.path("ledger_index").asLong());
      } else {
        out.printf(Locale.ROOT, "%s was not halted%n", scope);
      }
      for (JsonNode a : r.path("approved_by")) {
        out.printf(Locale.ROOT, "approved by %s%n", a.asText());
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

  private com.fasterxml.jackson.databind.node.ObjectNode request() throws CommandFailure {
    var body = HaltCommand.request(zone, reason);
    if (!approvals.isEmpty()) {
      StringBuilder all = new StringBuilder();
      for (java.nio.file.Path a : approvals) {
        try {
          all.append(java.nio.file.Files.readString(a));
        } catch (java.io.IOException e) {
          throw new CommandFailure(SluiceCli.EXIT_USAGE, "cannot read " + a + ": " + e);
        }
      }
      body.put("approvals", all.toString());
    }
    return body;
  }
}
