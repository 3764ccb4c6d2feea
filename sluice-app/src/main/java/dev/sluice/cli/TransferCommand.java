package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice transfer allow --approval FILE...}: hands the approvals of one large transfer
 * ({@code sluice change approve-transfer}) to the running node ({@code POST /api/transfers}), which
 * checks them as it checks a reload's, ledgers them and lets matching transfers above the zone's
 * {@code max_transfer} through until the earliest approval expires.
 */
@Command(
    name = "transfer",
    mixinStandardHelpOptions = true,
    description = "Large transfers above a zone's max_transfer.",
    subcommands = {TransferCommand.Allow.class})
final class TransferCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "allow",
      mixinStandardHelpOptions = true,
      description = "Allow an approved large transfer on the running node.",
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:allowed",
        "1:refused (too few approvals, expired, wrong token) or not ledgered",
        "2:bad options or approval files",
        "3:admin API not reachable, its certificate not trusted, or token unreadable"
      })
  static final class Allow implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin AdminTarget target;

    @Option(
        names = "--approval",
        required = true,
        paramLabel = "FILE",
        description = "An approval from `sluice change approve-transfer` (one per operator).")
    List<Path> approvals = new ArrayList<>();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        StringBuilder all = new StringBuilder();
        for (Path a : approvals) {
          try {
            all.append(Files.readString(a));
          } catch (IOException e) {
            throw new CommandFailure(SluiceCli.EXIT_USAGE, "cannot read " + a + ": " + e);
          }
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("approvals", all.toString());
        JsonNode r = target.client().post("/api/transfers", body, target.token()).json();
        out.printf(
            Locale.ROOT,
            "allowed %s until %s%n",
            r.path("subject").asText(),
            r.path("expires").asText());
        for (JsonNode a : r.path("approved_by")) {
          out.printf(Locale.ROOT, "approved by %s%n", a.asText());
        }
        out.flush();
        return 0;
      } catch (CommandFailure e) {
        return Failures.report(spec, e);
      }
    }
  }
}
