package dev.sluice.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;

/** sluice-dist's main code keeps the {@link ArchitectureRules}. */
@AnalyzeClasses(packages = "dev.sluice", importOptions = ThisModuleOnly.class)
class DistArchitectureTest {

  @ArchTest
  static void noPackageCycles(JavaClasses classes) {
    ArchitectureRules.noPackageCycles().check(classes);
  }

  @ArchTest
  static void noClockReadsOutsideTheClock(JavaClasses classes) {
    ArchitectureRules.noClockReads().check(classes);
  }
}
