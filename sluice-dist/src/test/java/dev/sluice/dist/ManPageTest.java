package dev.sluice.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.SluiceCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ManPageTest {

  @TempDir Path dir;

  @Test
  void everyCommandHasItsSectionWithItsOptions() {
    CommandLine root = SluiceCli.newCommandLine();
    String page = ManPage.render(root, "1.2.3");
    assertThat(page).startsWith(".TH SLUICE 1 \"\" \"sluice 1.2.3\"");
    List<CommandLine> commands = ManPage.commands(root);
    // run, edge, ledger verify: a top-level command, and one two levels down.
    assertThat(commands).extracting(ManPage::qualifiedName).contains("sluice run", "sluice edge");
    assertThat(commands)
        .extracting(ManPage::qualifiedName)
        .anyMatch(n -> n.startsWith("sluice ledger "));
    for (CommandLine c : commands) {
      assertThat(page).contains(".SS \"" + ManPage.escape(ManPage.qualifiedName(c)) + "\"");
    }
    assertThat(page).contains("\\-\\-ready\\-file").contains("\\-\\-drain\\-timeout");
  }

  @Test
  void noTextLineIsReadAsARequest() {
    String page = ManPage.render(SluiceCli.newCommandLine(), "dev");
    List<String> requests = List.of(".TH", ".SH", ".SS", ".nf", ".fi", ".TP", ".B");
    for (String line : page.split("\n")) {
      if (line.startsWith(".") || line.startsWith("'")) {
        assertThat(requests).as(line).anyMatch(r -> line.equals(r) || line.startsWith(r + " "));
      }
      // A lone backslash would start a roff escape: each must be one of ours.
      assertThat(line.replace("\\e", "").replace("\\-", "").replace("\\&", ""))
          .as(line)
          .doesNotContain("\\");
    }
  }

  @Test
  void escapesRoffRequestsBackslashesAndHyphens() {
    assertThat(ManPage.escape(".halt now")).isEqualTo("\\&.halt now");
    assertThat(ManPage.escape("'quoted")).isEqualTo("\\&'quoted");
    assertThat(ManPage.escape("a\\b --x")).isEqualTo("a\\eb \\-\\-x");
  }

  @Test
  void distDocsWritesTheGzippedPageAndTheCompletion() throws IOException {
    DistDocs.main(new String[] {dir.toString(), "9.9.9"});
    byte[] gz = Files.readAllBytes(dir.resolve("sluice.1.gz"));
    String page;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("sluice.1.gz")))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      page = out.toString(StandardCharsets.UTF_8);
    }
    assertThat(page).isEqualTo(ManPage.render(SluiceCli.newCommandLine(), "9.9.9"));
    // Reproducible: the gzip header's MTIME field (bytes 4..7) is zero.
    assertThat(Arrays.copyOfRange(gz, 4, 8)).containsOnly(0);
    String completion = Files.readString(dir.resolve("sluice"));
    assertThat(completion).contains("complete -F _complete_sluice").contains("check-config");
  }
}
