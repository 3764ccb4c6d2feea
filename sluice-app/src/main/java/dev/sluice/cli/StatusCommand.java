package dev.sluice.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice status [--json]}: asks a running node's admin API for {@code /api/budgets} and
 * prints it for people ({@link StatusReport}), or as the API's JSON.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show budgets, halts and mode of a running node (from its admin API).",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:shown",
      "2:bad options or configuration",
      "3:admin API not reachable or its certificate not trusted"
    })
final class StatusCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin AdminTarget target;

  @Option(names = "--json", description = "Print the raw JSON of GET /api/budgets.")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      AdminClient.Reply r = target.client().get("/api/budgets");
      if (json) {
        out.println(r.body());
      } else {
        StatusReport.print(r.json(), out);
      }
      out.flush();
      return 0;
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    }
  }
}
