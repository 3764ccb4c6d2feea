package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByteSizesTest {

  private static final long WEIGHTS = 810_000_000_000L;

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          0              | 0
          1024           | 1024
          7 B            | 7
          7B             | 7
          1KB            | 1000
          500MB          | 500000000
          500 MB         | 500000000
          810GB          | 810000000000
          2TB            | 2000000000000
          1KiB           | 1024
          1MiB           | 1048576
          64MiB          | 67108864
          3GiB           | 3221225472
          1TiB           | 1099511627776
          1.5KB          | 1500
          1.5MiB         | 1572864
          0.001KB        | 1
          0.0015KB       | 1
          0.9B           |
          1.9999KiB      | 2047
          0.1% weights   | 810000000
          0.1 % weights  | 810000000
          100% weights   | 810000000000
          50x weights    | 40500000000000
          0.5x weights   | 405000000000
          0x weights     | 0
          9223372036854775807 | 9223372036854775807
          8EiB           |
          """)
  void parses(String text, Long expected) {
    if (expected == null) {
      assertThatThrownBy(() -> ByteSizes.parse(text, WEIGHTS))
          .isInstanceOf(IllegalArgumentException.class);
    } else {
      assertThat(ByteSizes.parse(text, WEIGHTS)).isEqualTo(expected);
    }
  }

  @Test
  void fractionsRoundDownToWholeBytes() {
    assertThat(ByteSizes.parse("0.1% weights", 1234)).isEqualTo(1); // 1.234
    assertThat(ByteSizes.parse("1.0009KB")).isEqualTo(1000); // 1000.9
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          10gb          | unknown unit "gb"; units are case-sensitive, did you mean GB?
          10Gb          | unknown unit "Gb"; units are case-sensitive, did you mean GB?
          10kb          | unknown unit "kb"; units are case-sensitive, did you mean KB?
          10mib         | unknown unit "mib"; units are case-sensitive, did you mean MiB?
          10b           | unknown unit "b"; units are case-sensitive, did you mean B?
          10M           | ambiguous unit "M"; did you mean MB (decimal) or MiB (binary)?
          10 bytes      | unknown unit "bytes"; expected B, KB, MB, GB, TB, KiB, MiB, GiB, TiB, % weights or x weights
          1% Weights    | unknown unit "% Weights"; did you mean % weights?
          0.1%          | a size relative to the weights is written 0.1% weights
          50x           | a size relative to the weights is written 50x weights
          -5MB          | a size cannot be negative
          -1            | a size cannot be negative
          1.5           | a size needs a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB, % weights or x weights)
          1.5B          | a byte count must be a whole number
          lots          | not a size; expected a number and a unit, e.g. 500MB, 64MiB, 0.1% weights or 50x weights
          .5MB          | not a size; expected a number and a unit, e.g. 500MB, 64MiB, 0.1% weights or 50x weights
          1e6           | unknown unit "e6"; expected B, KB, MB, GB, TB, KiB, MiB, GiB, TiB, % weights or x weights
          9223372036854775808 | too large: a size must fit in 64 bits (at most 9223372036854775807 bytes)
          9300000TB     | too large: a size must fit in 64 bits (at most 9223372036854775807 bytes)
          """)
  void rejectsWithAReason(String text, String message) {
    assertThatThrownBy(() -> ByteSizes.parse(text, WEIGHTS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void relativeSizesNeedWeights() {
    assertThatThrownBy(() -> ByteSizes.parse("1x weights"))
        .hasMessage("a size relative to the weights is not allowed here (only caps may use it)");
    assertThat(ByteSizes.isRelative("0.1% weights")).isTrue();
    assertThat(ByteSizes.isRelative("50x weights")).isTrue();
    assertThat(ByteSizes.isRelative("50GB")).isFalse();
  }

  @Test
  void rejectsEmpty() {
    assertThatThrownBy(() -> ByteSizes.parse(" ")).hasMessage("a size is required, e.g. 500MB");
    assertThatThrownBy(() -> ByteSizes.parse(null)).hasMessage("a size is required, e.g. 500MB");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          0                   | 0 B
          999                 | 999 B
          1000                | 1 KB
          1024                | 1 KiB
          1536                | 1.5 KiB
          1001                | 1.001 KB
          810000000           | 810 MB
          2000000000          | 2 GB
          1048576             | 1 MiB
          40500000000000      | 40.5 TB
          1024000             | 1000 KiB
          9223372036854775807 | 9223372.036854775807 TB
          """)
  void formats(long bytes, String text) {
    assertThat(ByteSizes.format(bytes)).isEqualTo(text);
    assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
  }
}
