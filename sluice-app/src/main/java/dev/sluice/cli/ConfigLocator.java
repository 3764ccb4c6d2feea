package dev.sluice.cli;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Finds the configuration a command works on, in this order: the file given with {@code --config},
 * else {@code ./sluice.yaml} if it exists, else the embedded quickstart (the repository's {@code
 * examples/quickstart.yaml}, packaged as the classpath resource {@value #QUICKSTART_RESOURCE}).
 *
 * <p>An explicit file that does not exist is an error, never a silent fallback: an operator who
 * names a file means that file. Thread-safe: immutable.
 */
public final class ConfigLocator {

  /** The file looked for in the working directory when none is named. */
  public static final String DEFAULT_FILE = "sluice.yaml";

  /** The classpath resource holding the embedded quickstart configuration. */
  public static final String QUICKSTART_RESOURCE = "/sluice/quickstart.yaml";

  /** How the embedded quickstart is named in messages and {@code SluiceConfig.sourceName()}. */
  public static final String QUICKSTART_NAME = "quickstart.yaml (embedded)";

  private final Path workingDir;

  /** A locator that looks for {@value #DEFAULT_FILE} in the process's working directory. */
  public ConfigLocator() {
    this(Path.of(""));
  }

  /** A locator that looks for {@value #DEFAULT_FILE} in {@code workingDir}. */
  public ConfigLocator(Path workingDir) {
    this.workingDir = Objects.requireNonNull(workingDir, "workingDir");
  }

  /**
   * Loads the configuration: {@code explicitFile} when not null, else {@value #DEFAULT_FILE} in the
   * working directory if it exists, else the embedded quickstart. Problems are in the result, as
   * with {@link ConfigLoader#load}.
   */
  public ConfigResult load(Path explicitFile) {
    if (explicitFile != null) {
      return ConfigLoader.load(explicitFile);
    }
    Path local = workingDir.resolve(DEFAULT_FILE);
    if (Files.exists(local)) {
      return ConfigLoader.load(local);
    }
    return ConfigLoader.parse(QUICKSTART_NAME, embeddedQuickstart());
  }

  /** The text of the embedded quickstart configuration. */
  public static String embeddedQuickstart() {
    try (InputStream in = ConfigLocator.class.getResourceAsStream(QUICKSTART_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the embedded quickstart " + QUICKSTART_RESOURCE + " is missing from the build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the embedded quickstart", e);
    }
  }
}
