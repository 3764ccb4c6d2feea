package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice halt [--zone Z] [--reason TEXT]}: stops all egress of the site, or of one zone,
 * through the running node's admin API. The node stops bytes at once and answers once the halt is
 * in the ledger; if it could not ledger it, the halt still holds and this exits 1 saying so. With
 * the etcd store the halt is published to every node sharing the prefix, and a {@code fleet:} line
 * says whether it was.
 */
@Command(
    name = "halt",
    mixinStandardHelpOptions = true,
    description = "Halt all egress of the site, or of one zone, and ledger it.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:halted (or already halted)",
      "1:refused (wrong token) or not ledgered (the halt still holds)",
      "2:bad options, configuration or zone",
      "3:admin API not reachable, its certificate not trusted, or token unreadable"
    })
final class HaltCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin AdminTarget target;

  @Option(names = "--zone", paramLabel = "Z", description = "Halt only this zone.")
  String zone;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the ledger.")
  String reason;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      ObjectNode body = AdminClient.JSON.createObjectNode();
      if (zone != null) {
        body.put("zone", zone);
      }
      if (reason != null) {
        body.put("reason", reason);
      }
      JsonNode r = target.client().post("/api/halt", body, target.token()).json();
      String scope = r.path("scope").asText();
      String since = r.path("since").asText();
      String why = r.path("reason").asText();
      if (r.path("changed").asBoolean()) {
        out.printf(
            Locale.ROOT,
            "halted %s: %s (since %s; ledger entry %d)%n",
            scope,
            why,
            since,
            r.path("ledger_index").asLong());
      } else {
        out.printf(Locale.ROOT, "%s was already halted since %s: %s%n", scope, since, why);
      }
      fleet(out, r);
      out.flush();
      return 0;
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    }
  }

  /** The fleet line of a halt or resume answer, when the node shares its store with a fleet. */
  static void fleet(PrintWriter out, JsonNode r) {
    String fleet = r.path("fleet").asText("none");
    if (fleet.equals("none")) {
      return;
    }
    String detail = r.path("fleet_detail").asText("");
    String what =
        switch (fleet) {
          case "published" -> "every node sharing the store halts";
          case "not_published" -> "NOT yet published to the other nodes";
          case "lifted" -> "lifted on every node sharing the store";
          default -> fleet;
        };
    out.printf(Locale.ROOT, "fleet: %s (%s)%n", what, detail);
  }

  /** The body of a halt or resume request: {@code zone} and {@code reason} when given. */
  static ObjectNode request(String zone, String reason) {
    ObjectNode body = AdminClient.JSON.createObjectNode();
    if (zone != null) {
      body.put("zone", zone);
    }
    if (reason != null) {
      body.put("reason", reason);
    }
    return body;
  }
}
