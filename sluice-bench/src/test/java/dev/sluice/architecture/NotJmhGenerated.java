package dev.sluice.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

/**
 * Leaves out the classes that JMH's annotation processor generates (package {@code
 * dev.sluice.bench.jmh_generated}): they are JMH's harness, which times benchmarks with {@code
 * System.nanoTime}, not our code.
 */
public final class NotJmhGenerated implements ImportOption {

  @Override
  public boolean includes(Location location) {
    return !location.contains("/jmh_generated/");
  }
}
