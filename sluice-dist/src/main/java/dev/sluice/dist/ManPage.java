package dev.sluice.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/**
 * The man page {@code sluice(1)} in roff ({@code man} macros), generated from the picocli model so
 * that it cannot drift from the command: NAME and SYNOPSIS from the top command, then one
 * subsection per (sub)command with its full {@code --help} text as a literal block, then the exit
 * statuses, files and environment of the Debian package.
 *
 * <p>Roff text is escaped: backslashes become {@code \e}, hyphens {@code \-} (so that options
 * copied from the page are ASCII hyphen-minus), and a line starting with {@code .} or {@code '}
 * (which roff would read as a request) is prefixed with {@code \&}.
 */
final class ManPage {

  private ManPage() {}

  /** The page for {@code root} at {@code version} (shown in the page footer). */
  static String render(CommandLine root, String version) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(version, "version");
    String name = root.getCommandName();
    StringBuilder sb = new StringBuilder();
    sb.append(".TH ")
        .append(name.toUpperCase(Locale.ROOT))
        .append(" 1 \"\" \"")
        .append(escape(name + " " + version))
        .append("\" \"Sluice manual\"\n");
    sb.append(".SH NAME\n")
        .append(escape(name))
        .append(" \\- ")
        .append(escape(String.join(" ", root.getCommandSpec().usageMessage().description())))
        .append('\n');
    sb.append(".SH SYNOPSIS\n.nf\n");
    for (CommandLine sub : commands(root)) {
      if (sub != root) {
        sb.append(escape(qualifiedName(sub))).append(" [OPTIONS]\n");
      }
    }
    sb.append(".fi\n");
    sb.append(".SH DESCRIPTION\n")
        .append(
            escape(
                "Sluice meters every byte that leaves an inference datacenter against hard upload"
                    + " budgets and records every decision in a tamper-evident, signed ledger."
                    + " The Debian package runs the gateway as sluice.service (sluice run) and the"
                    + " edge as sluice-edge.service (sluice edge)."))
        .append('\n');
    sb.append(".SH COMMANDS\n");
    for (CommandLine sub : commands(root)) {
      sb.append(".SS \"").append(escape(qualifiedName(sub))).append("\"\n");
      sb.append(".nf\n");
      for (String line : sub.getUsageMessage(Ansi.OFF).split("\n", -1)) {
        sb.append(escape(line.stripTrailing())).append('\n');
      }
      sb.append(".fi\n");
    }
    sb.append(".SH EXIT STATUS\n");
    item(sb, "0", "Success; for sluice run and sluice edge, a clean stop after SIGTERM.");
    item(sb, "1", "A check failed, or the admin API refused or failed the request.");
    item(sb, "2", "Bad usage or an invalid configuration.");
    item(sb, "3", "An operational error: I/O, unreadable files, no admin API to talk to.");
    sb.append(".SH FILES\n");
    item(sb, "/etc/sluice/sluice.yaml", "The configuration of sluice.service.");
    item(sb, "/etc/sluice/edge.env", "The arguments of sluice-edge.service.");
    item(
        sb,
        "/var/lib/sluice",
        "Data directory: ledger, snapshots, signing key, admin token; owned by the user sluice.");
    item(sb, "/usr/share/sluice/sluice.jar", "The program.");
    item(sb, "/usr/share/doc/sluice/install.md", "Installation, service, upgrade and firewall.");
    sb.append(".SH ENVIRONMENT\n");
    item(sb, "SLUICE_JAVA_OPTS", "Extra JVM options, for example \\-Xmx4g.");
    item(sb, "JAVA_HOME", "The Java runtime to use instead of the java on PATH.");
    sb.append(".SH SEE ALSO\n")
        .append(escape("systemctl(1), journalctl(1), systemd.exec(5)"))
        .append('\n');
    return sb.toString();
  }

  /** {@code root} and every visible subcommand below it, depth first, in declaration order. */
  static List<CommandLine> commands(CommandLine root) {
    List<CommandLine> out = new ArrayList<>();
    collect(root, out);
    return out;
  }

  private static void collect(CommandLine cmd, List<CommandLine> out) {
    out.add(cmd);
    for (CommandLine sub : cmd.getSubcommands().values()) {
      // getSubcommands() lists every alias too: keep each command once.
      if (!sub.getCommandSpec().usageMessage().hidden() && !out.contains(sub)) {
        collect(sub, out);
      }
    }
  }

  /** "sluice ledger verify": the names from the root down. */
  static String qualifiedName(CommandLine cmd) {
    return cmd.getCommandSpec().qualifiedName(" ");
  }

  private static void item(StringBuilder sb, String tag, String text) {
    sb.append(".TP\n.B ").append(escape(tag)).append('\n').append(escape(text)).append('\n');
  }

  /** One line of text as roff: see the class comment. */
  static String escape(String line) {
    String s = line.replace("\\", "\\e").replace("-", "\\-");
    if (s.startsWith(".") || s.startsWith("'")) {
      s = "\\&" + s;
    }
    return s;
  }
}
