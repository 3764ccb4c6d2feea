package dev.sluice.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's root directory, from which the integration tests find the shared corpus ({@code
 * ../shared/corpus}) and the packaged jar ({@code sluice-app/target/sluice.jar}). Maven sets it
 * ({@code sluice.repo.root}); an IDE run falls back to the nearest parent of the working directory
 * that holds {@code mvnw}.
 */
final class RepoRoot {
  private RepoRoot() {}

  static Path get() {
    String configured = System.getProperty("sluice.repo.root");
    if (configured != null) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("sluice-app"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "cannot find the repository root from "
            + Path.of("").toAbsolutePath()
            + "; set -Dsluice.repo.root");
  }
}
