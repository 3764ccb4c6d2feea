package dev.sluice.dist;

import dev.sluice.cli.SluiceCli;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * {@code DistDocs DIR VERSION}: writes what the package ships that is generated from the picocli
 * model of {@code sluice}, run by the build (exec-maven-plugin, process-classes):
 *
 * <ul>
 *   <li>{@code DIR/sluice.1.gz}: the man page ({@link ManPage}), gzip as Debian ships man pages;
 *       the gzip header carries no time stamp, so the same model gives the same bytes;
 *   <li>{@code DIR/sluice}: the bash completion script (picocli {@link AutoComplete}), installed as
 *       /usr/share/bash-completion/completions/sluice.
 * </ul>
 *
 * A wrong argument count or an unwritable directory fails the build with the path.
 */
public final class DistDocs {

  private DistDocs() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException(
          "usage: DistDocs DIR VERSION (got " + args.length + " arguments)");
    }
    write(Path.of(args[0]), args[1]);
  }

  /** Writes both files into {@code dir} (created if missing). */
  static void write(Path dir, String version) throws IOException {
    Files.createDirectories(dir);
    CommandLine root = SluiceCli.newCommandLine();
    String page = ManPage.render(root, version);
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(dir.resolve("sluice.1.gz")))) {
      out.write(page.getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(
        dir.resolve("sluice"),
        AutoComplete.bash(root.getCommandName(), root),
        StandardCharsets.UTF_8);
  }
}
