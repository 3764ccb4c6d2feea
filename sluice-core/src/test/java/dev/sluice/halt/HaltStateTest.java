package dev.sluice.halt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaltStateTest {

  @TempDir Path dir;

  @Test
  void haltsSurviveARestartAndResumesToo() throws Exception {
    Path file = dir.resolve("halts");
    HaltState s = HaltState.persistent(List.of("inference", "employee"), file);
    s.halt(null, "incident\twith tab", 1_000);
    s.halt("employee", "audit", 2_000);
    assertThat(HaltState.halted(s.site(), s.zone("inference"))).isTrue();

    HaltState again = HaltState.persistent(List.of("inference", "employee"), file);
    assertThat(again.site().on()).isTrue();
    assertThat(again.site().halt().reason()).isEqualTo("incident with tab");
    assertThat(again.zone("employee").halt().sinceMillis()).isEqualTo(2_000);
    assertThat(again.zone("inference").on()).isFalse();

    again.resume(null);
    HaltState third = HaltState.persistent(List.of("inference", "employee"), file);
    assertThat(third.site().on()).isFalse();
    assertThat(third.active()).extracting(HaltState.Halt::scope).containsExactly("employee");
  }

  @Test
  void aHaltOfAZoneNoLongerConfiguredIsDropped() throws Exception {
    Path file = dir.resolve("halts");
    HaltState.persistent(List.of("old"), file).halt("old", "x", 1);
    HaltState s = HaltState.persistent(List.of("inference"), file);
    assertThat(s.active()).isEmpty();
  }

  @Test
  void aReloadKeepsTheFlagsOfKeptZonesAndDropsTheHaltsOfRemovedOnes() throws Exception {
    Path file = dir.resolve("halts");
    HaltState s = HaltState.persistent(List.of("inference", "employee"), file);
    HaltState.Flag inference = s.zone("inference");
    s.halt("inference", "incident", 1_000);
    s.halt("employee", "audit", 2_000);

    s.rezone(List.of("inference", "lab"));
    assertThat(s.zone("inference")).as("a connection's flag stays the zone's").isSameAs(inference);
    assertThat(inference.on()).isTrue();
    assertThat(s.zone("lab").on()).isFalse();
    assertThat(catchThrowable(() -> s.zone("employee")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(s.active()).extracting(HaltState.Halt::scope).containsExactly("inference");
    s.resume("inference");
    assertThat(inference.on()).as("a resume reaches the flag connections hold").isFalse();
    s.halt("lab", "new zone", 3_000);
    // The file follows: the removed zone's halt is gone, the new zone's is there.
    assertThat(HaltState.persistent(List.of("inference", "employee", "lab"), file).active())
        .extracting(HaltState.Halt::scope)
        .containsExactly("lab");
  }

  @Test
  void aSecondHaltKeepsTheFirst() {
    HaltState s = new HaltState(List.of("z"));
    HaltState.Halt first = s.halt("z", "one", 1);
    assertThat(s.halt("z", "two", 2)).isEqualTo(first);
    assertThat(s.resume("z")).isEqualTo(first);
    assertThat(s.resume("z")).isNull();
  }

  @Test
  void aDamagedFileFailsLoudly() throws Exception {
    Path file = dir.resolve("halts");
    Files.writeString(file, "site\tnot-a-number\treason\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> HaltState.persistent(List.of("z"), file))
        .hasMessageContaining("halts:1: bad time not-a-number");
  }

  @Test
  void theFleetRevisionOfAHaltSurvivesARestart() throws Exception {
    Path file = dir.resolve("halts");
    HaltState s = HaltState.persistent(List.of("z"), file);
    HaltState.Halt local = s.halt(null, "incident", 1_000);
    assertThat(local.published()).isFalse();
    HaltState.Halt marked = s.markPublished(null, local, 42);
    assertThat(marked.fleetRevision()).isEqualTo(42);
    assertThat(s.site().halt()).isEqualTo(marked);
    assertThat(Files.readString(file)).isEqualTo("site\t1000\tincident\t42\n");

    HaltState again = HaltState.persistent(List.of("z"), file);
    assertThat(again.site().halt()).isEqualTo(new HaltState.Halt("site", "incident", 1_000, 42));
  }

  @Test
  void markingAHaltThatIsNoLongerInForceDoesNothing() {
    HaltState s = new HaltState(List.of("z"));
    HaltState.Halt first = s.halt("z", "one", 1);
    s.resume("z");
    HaltState.Halt second = s.halt("z", "two", 2);
    assertThat(s.markPublished("z", first, 7)).isEqualTo(second);
    assertThat(s.zone("z").halt().fleetRevision()).isZero();
  }

  @Test
  void aFileWrittenBeforeFleetHaltsReadsAsNotPublished() throws Exception {
    Path file = dir.resolve("halts");
    Files.writeString(file, "site\t1000\tolder format\n");
    HaltState s = HaltState.persistent(List.of("z"), file);
    assertThat(s.site().halt()).isEqualTo(new HaltState.Halt("site", "older format", 1_000, 0));
    Files.writeString(file, "site\t1000\treason\tx\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> HaltState.persistent(List.of("z"), file))
        .hasMessageContaining("halts:1: bad fleet revision x");
  }
}
