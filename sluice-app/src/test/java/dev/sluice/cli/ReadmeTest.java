package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: the README a new user reads first links only files of the repository (that exist), and
 * names no dashboard that is not there; its two commands stay as they are.
 */
class ReadmeTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private static String readme() throws IOException {
    return Files.readString(ROOT.resolve("README.md"));
  }

  @Test
  void everyLinkIsAFileOfTheRepository() throws IOException {
    Matcher m = Pattern.compile("\\]\\(([^)\\s]+)\\)").matcher(readme());
    List<String> links = new ArrayList<>();
    while (m.find()) {
      links.add(m.group(1));
    }
    assertThat(links).isNotEmpty();
    for (String link : links) {
      assertThat(link).as("a link to another site").doesNotContain("://");
      Path target = ROOT.resolve(link.replaceAll("#.*$", "")).normalize();
      assertThat(target.startsWith(ROOT)).as("%s is outside the repository", link).isTrue();
      assertThat(target).as(link).exists();
    }
  }

  @Test
  void namesOnlyDashboardsThatExist() throws IOException {
    String text = readme();
    if (text.contains("Grafana")) {
      assertThat(ROOT.resolve("deploy/grafana/sluice.json")).exists();
    }
    if (text.toLowerCase(java.util.Locale.ROOT).contains("dashboard")) {
      assertThat(ROOT.resolve("docs/dashboard.md")).exists();
      assertThat(ROOT.resolve("sluice-app/src/main/resources/dev/sluice/admin/dashboard"))
          .isDirectory();
    }
  }

  @Test
  void theTwoCommandsAreAsTheyWere() throws IOException {
    assertThat(readme())
        .contains("## Two commands")
        .contains("```sh\nbin/sluice demo\n```")
        .contains("```sh\n./mvnw -B verify\n```");
  }
}
