package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
    "500ms, 500",
    "30s, 30000",
    "5m, 300000",
    "1h, 3600000",
    "1d, 86400000",
    "0s, 0",
    "10 ms, 10"
  })
  void parses(String text, long millis) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          30          | a duration needs a unit: ms, s, m, h or d (e.g. 30s)
          30S         | unknown unit "S"; units are case-sensitive, did you mean s?
          1H          | unknown unit "H"; units are case-sensitive, did you mean h?
          1sec        | unknown unit "sec"; expected ms, s, m, h or d
          1.5s        | a duration must be a whole number of its unit, e.g. 1500ms
          -1s         | a duration cannot be negative
          soon        | not a duration; expected a whole number and a unit, e.g. 500ms, 30s, 5m, 1h, 1d
          9999999999999999999d | too large for a duration
          999999999999999d | too large for a duration
          """)
  void rejectsWithAReason(String text, String message) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @ParameterizedTest(name = "{0} ms -> {1}")
  @CsvSource({"0, 0s", "10, 10ms", "1000, 1s", "1500, 1500ms", "3600000, 1h", "172800000, 2d"})
  void formats(long millis, String text) {
    assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
  }

  @Property(seed = "20251122")
  void formatRoundTrips(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long millis) {
    Duration d = Duration.ofMillis(millis);
    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }
}
