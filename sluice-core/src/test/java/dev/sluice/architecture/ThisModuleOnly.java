package dev.sluice.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import java.net.URI;
import java.nio.file.Path;

/**
 * Imports only the main classes of the module whose tests run ({@code target/classes} under the
 * working directory, which Surefire sets to the module), not its tests and not other modules' jars
 * or class folders on the test classpath: each module answers for its own packages.
 */
public final class ThisModuleOnly implements ImportOption {

  private static final Path CLASSES = Path.of("target", "classes").toAbsolutePath();

  @Override
  public boolean includes(Location location) {
    URI uri = location.asURI();
    return "file".equals(uri.getScheme()) && Path.of(uri).startsWith(CLASSES);
  }
}
