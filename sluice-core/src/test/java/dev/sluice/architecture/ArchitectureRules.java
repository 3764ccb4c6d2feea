package dev.sluice.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.AccessTarget.CodeUnitAccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.util.Set;

/**
 * The rules every module's main code keeps, applied by one small test per module (for example
 * {@code CoreArchitectureTest}) to that module's own classes ({@link ThisModuleOnly}).
 *
 * <ul>
 *   <li>No package cycles: each package of {@code dev.sluice..} is a slice, and no slice may reach
 *       itself through others. A cycle means two packages are one job cut in two, or one of them
 *       owns something in the wrong place.
 *   <li>No clock reads outside {@value #CLOCK_CLASS}: everything else is given a {@code
 *       dev.sluice.time.Clock}, so tests run on a {@code ManualClock} and never sleep, and windows,
 *       expiries and ledger timestamps all come from one place.
 * </ul>
 */
public final class ArchitectureRules {

  /** The one class that reads the machine's clock. */
  public static final String CLOCK_CLASS = "dev.sluice.time.SystemClock";

  private static final Set<String> TIME_OF_DAY_CLASSES =
      Set.of(
          "java.time.Instant",
          "java.time.LocalDate",
          "java.time.LocalDateTime",
          "java.time.LocalTime",
          "java.time.OffsetDateTime",
          "java.time.OffsetTime",
          "java.time.ZonedDateTime",
          "java.time.Year",
          "java.time.YearMonth",
          "java.time.MonthDay",
          "java.time.chrono.HijrahDate",
          "java.time.chrono.JapaneseDate",
          "java.time.chrono.MinguoDate",
          "java.time.chrono.ThaiBuddhistDate");

  private ArchitectureRules() {}

  /**
   * Every package of {@code dev.sluice..} is free of cycles. A module that still has a known cycle
   * adds {@code ignoreDependency} for exactly that one, with the issue that removes it.
   */
  public static SliceRule noPackageCycles() {
    return slices().matching("dev.sluice.(**)").should().beFreeOfCycles();
  }

  /** No wall-clock or monotonic reads outside {@value #CLOCK_CLASS}. */
  public static ArchRule noClockReads() {
    return noClasses()
        .that()
        .doNotHaveFullyQualifiedName(CLOCK_CLASS)
        .should()
        .accessTargetWhere(CLOCK_READ)
        .because(
            "time is read through dev.sluice.time.Clock (Clock.system() in production, ManualClock"
                + " in tests); "
                + CLOCK_CLASS
                + " is the one class that reads the machine's clock");
  }

  /** A call of, or a method reference to, anything that reads the machine's clock. */
  private static final DescribedPredicate<JavaAccess<?>> CLOCK_READ =
      new DescribedPredicate<>(
          "a clock read (System.currentTimeMillis/nanoTime, java.time's now(), Clock.system*,"
              + " InstantSource.system, new Date(), Calendar.getInstance)") {
        @Override
        public boolean test(JavaAccess<?> access) {
          AccessTarget target = access.getTarget();
          String owner = target.getOwner().getName();
          String name = target.getName();
          return switch (owner) {
            case "java.lang.System" -> name.equals("currentTimeMillis") || name.equals("nanoTime");
            case "java.time.Clock" -> name.startsWith("system");
            case "java.time.InstantSource" -> name.equals("system");
            case "java.util.Calendar" -> name.equals("getInstance");
            case "java.util.Date" ->
                name.equals("<init>")
                    && target instanceof CodeUnitAccessTarget unit
                    && unit.getRawParameterTypes().isEmpty();
            default -> TIME_OF_DAY_CLASSES.contains(owner) && name.equals("now");
          };
        }
      };
}
