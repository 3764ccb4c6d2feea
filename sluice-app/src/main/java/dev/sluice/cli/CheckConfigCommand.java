package dev.sluice.cli;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.config.ByteSizes;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.DetectionConfig;
import dev.sluice.config.SluiceConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sluice check-config FILE...}: validates configurations, each on its own, in the order
 * given. A valid file: its warnings on stderr, the resolved budget tree on stdout. An invalid one:
 * every error on stderr, one a line, as {@code FILE:LINE: dotted.key.path: what is wrong (got
 * VALUE)}, and a line saying it is not valid. With several files a last line counts them. Exit 0 if
 * every file is valid (warnings allowed), 2 if any is not.
 */
@Command(
    name = "check-config",
    description = "Validate a configuration file and print the resolved budget tree.",
    mixinStandardHelpOptions = true)
final class CheckConfigCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      arity = "1..*",
      description = "The YAML configurations to check, each on its own.")
  List<Path> files;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int invalid = 0;
    for (int i = 0; i < files.size(); i++) {
      if (i > 0) {
        out.println();
        out.flush();
      }
      if (check(files.get(i), out, err) != 0) {
        invalid++;
      }
    }
    if (files.size() > 1) {
      PrintWriter summary = invalid == 0 ? out : err;
      summary.printf(
          Locale.ROOT,
          "%d files: %d valid, %d not valid%n",
          files.size(),
          files.size() - invalid,
          invalid);
      summary.flush();
    }
    return invalid == 0 ? 0 : SluiceCli.EXIT_USAGE;
  }

  /** Checks one file and prints what it found: 0 valid, else {@link SluiceCli#EXIT_USAGE}. */
  private int check(Path file, PrintWriter out, PrintWriter err) {
    ConfigResult result = ConfigLoader.load(file);
    for (ConfigProblem p : result.errors()) {
      err.println(p.format());
    }
    for (ConfigProblem p : result.warnings()) {
      err.println(p.format());
    }
    err.flush();
    if (!result.ok()) {
      err.printf(
          Locale.ROOT,
          "%s: %d error%s; configuration not valid%n",
          file,
          result.errors().size(),
          result.errors().size() == 1 ? "" : "s");
      err.flush();
      return SluiceCli.EXIT_USAGE;
    }
    SluiceConfig c = result.config();
    BudgetTree tree = BudgetTrees.of(c.budgets());
    out.printf(
        Locale.ROOT,
        "%s: valid (%d warning%s)%n",
        file,
        result.warnings().size(),
        result.warnings().size() == 1 ? "" : "s");
    out.printf(
        Locale.ROOT,
        "site %s: model %s, weights %,d bytes (%s); time zone %s; mode %s; sha256 %s%n%n",
        c.site(),
        c.model().name(),
        c.model().weightBytes(),
        ByteSizes.format(c.model().weightBytes()),
        c.timeZone().getId(),
        c.mode().name().toLowerCase(Locale.ROOT),
        c.sha256Hex());
    out.printf(
        Locale.ROOT,
        "smallest useful copy of the weights: %,d bytes (%s; model.smallest_useful_copy %s):"
            + " lossy compression shrinks stolen weights 16-100x, so time to exfiltrate is shown"
            + " for both%n%n",
        c.model().smallestUsefulCopyBytes(),
        ByteSizes.format(c.model().smallestUsefulCopyBytes()),
        c.model().smallestUsefulCopy());
    new BudgetTreeReport(c.model().weightBytes(), c.model().smallestUsefulCopyBytes())
        .print(tree, out);
    out.printf(
        Locale.ROOT,
        "%ncontrol allowance: %s; %d listener%s%n",
        ByteSizes.format(c.budgets().controlAllowanceBytes()),
        c.listeners().size(),
        c.listeners().size() == 1 ? "" : "s");
    out.printf(Locale.ROOT, "detection: %s%n", describe(c.detection()));
    for (String zone : c.budgets().zones().keySet()) {
      if (c.zone(zone).detection() != null) {
        out.printf(Locale.ROOT, "  zone %s: %s%n", zone, describe(c.detection(zone)));
      }
    }
    out.flush();
    return 0;
  }

  /** One line for a {@code detection} section: what is scanned and what a finding does. */
  static String describe(DetectionConfig d) {
    if (!d.enabled()) {
      return "off";
    }
    return "index "
        + (d.index() == null
            ? "none"
            : d.index() + " (anchors tested at 1 offset in " + d.anchorStride() + ")")
        + ", tensors "
        + (d.tensors() ? "on" : "off")
        + ", action "
        + d.action().label()
        + (d.action() == DetectionConfig.Action.BLOCK
            ? " (bytes held back up to " + d.hold().toMillis() + " ms)"
            : "");
  }
}
