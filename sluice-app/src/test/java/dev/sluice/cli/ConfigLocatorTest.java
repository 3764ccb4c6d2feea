package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ConfigResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLocatorTest {

  @TempDir Path dir;

  @Test
  void theEmbeddedQuickstartIsTheRepositorysExampleFile() throws IOException {
    assertThat(ConfigLocator.embeddedQuickstart())
        .isEqualTo(Files.readString(Path.of("../examples/quickstart.yaml")));
  }

  @Test
  void withoutAFileOrSluiceYamlTheEmbeddedQuickstartLoads() {
    ConfigResult r = new ConfigLocator(dir).load(null);
    assertThat(r.ok()).as(r.errors().toString()).isTrue();
    assertThat(r.config().sourceName()).isEqualTo(ConfigLocator.QUICKSTART_NAME);
    assertThat(r.config().site()).isEqualTo("quickstart");
  }

  @Test
  void sluiceYamlInTheWorkingDirectoryWinsOverTheQuickstart() throws IOException {
    Files.writeString(
        dir.resolve("sluice.yaml"),
        ConfigLocator.embeddedQuickstart().replace("site: quickstart", "site: local-file"));
    ConfigResult r = new ConfigLocator(dir).load(null);
    assertThat(r.config().site()).isEqualTo("local-file");
  }

  @Test
  void anExplicitFileWinsAndAMissingOneIsAnErrorNotAFallback() throws IOException {
    Files.writeString(dir.resolve("sluice.yaml"), ConfigLocator.embeddedQuickstart());
    Path explicit = dir.resolve("other.yaml");
    Files.writeString(
        explicit, ConfigLocator.embeddedQuickstart().replace("site: quickstart", "site: explicit"));

    assertThat(new ConfigLocator(dir).load(explicit).config().site()).isEqualTo("explicit");

    ConfigResult missing = new ConfigLocator(dir).load(dir.resolve("nope.yaml"));
    assertThat(missing.ok()).isFalse();
    assertThat(missing.errors().get(0).format()).contains("nope.yaml").contains("no such file");
  }
}
