package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz target: the config reader on arbitrary bytes. {@link ConfigLoader} never throws for bad
 * content: whatever the file holds, it returns a result, with a configuration or with errors (each
 * formattable), in bounded time and memory. Regression mode (every {@code verify}) runs the inputs
 * under {@code src/test/resources/dev/sluice/config/ConfigFuzzTestInputs/}; {@code JAZZER_FUZZ=1}
 * fuzzes (docs/testing.md).
 */
class ConfigFuzzTest {

  private static final Path FILE;

  static {
    try {
      FILE = Files.createTempFile("sluice-config-fuzz", ".yaml");
      FILE.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void anyBytesLoadToAResult(byte[] data) throws IOException {
    Files.write(FILE, data);
    check(ConfigLoader.load(FILE));
    check(ConfigLoader.parse("fuzz.yaml", new String(data, StandardCharsets.UTF_8)));
  }

  private static void check(ConfigResult r) {
    assertThat(r).isNotNull();
    assertThat(r.ok() ? r.config() : r.errors()).isNotNull();
    if (!r.ok()) {
      assertThat(r.errors()).isNotEmpty();
    }
    assertThat(ConfigLoader.formatAll(r)).isNotNull();
  }
}
