package dev.sluice.architecture;

import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;

/** sluice-gateway's main code keeps the {@link ArchitectureRules}. */
@AnalyzeClasses(packages = "dev.sluice", importOptions = ThisModuleOnly.class)
class GatewayArchitectureTest {

  /**
   * The known cycle, frozen until issue 14's gateway refactor removes them; each {@code
   * ignoreDependency} names exactly the classes that make one, so any other cycle still fails.
   * Delete an {@code ignoreDependency} once its cycle is gone.
   *
   * <ol>
   *   <li>The root package {@code dev.sluice.gateway} both wires the listeners ({@code Gateway},
   *       {@code GatewayContext}, {@code ListenerContext}, {@code GatewayStats} reach into {@code
   *       edge}, {@code evidence}, {@code forward}, {@code http}, {@code meter}, {@code tcp}) and
   *       holds the context those packages use ({@code ListenerContext}, {@code Transport}, {@code
   *       GatewayStats}).
   * </ol>
   */
  @ArchTest
  static void noPackageCycles(JavaClasses classes) {
    ArchitectureRules.noPackageCycles()
        .ignoreDependency(
            nameMatching(
                "dev\\.sluice\\.gateway\\.(Gateway|GatewayContext|ListenerContext|GatewayStats)"
                    + "(\\$.*)?"),
            nameMatching("dev\\.sluice\\.gateway\\.[a-z]+\\..*"))
        .check(classes);
  }

  @ArchTest
  static void noClockReadsOutsideTheClock(JavaClasses classes) {
    ArchitectureRules.noClockReads().check(classes);
  }
}
