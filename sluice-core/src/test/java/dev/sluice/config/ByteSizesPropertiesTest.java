package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

class ByteSizesPropertiesTest {

  private static final String[] UNITS = {"B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"};
  private static final long[] FACTORS = {
    1, 1_000, 1_000_000, 1_000_000_000, 1_000_000_000_000L, 1L << 10, 1L << 20, 1L << 30, 1L << 40
  };

  @Property(seed = "20251122")
  void formatRoundTrips(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long bytes) {
    assertThat(ByteSizes.parse(ByteSizes.format(bytes))).isEqualTo(bytes);
  }

  @Property(seed = "20251122")
  void wholeUnitsMultiplyExactlyOrAreRejected(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long n, @ForAll("unitIndex") int u) {
    BigInteger exact = BigInteger.valueOf(n).multiply(BigInteger.valueOf(FACTORS[u]));
    String text = n + UNITS[u];
    if (exact.bitLength() <= 63) {
      assertThat(ByteSizes.parse(text)).isEqualTo(exact.longValueExact());
    } else {
      assertThatThrownBy(() -> ByteSizes.parse(text)).hasMessageStartingWith("too large");
    }
  }

  @Property(seed = "20251122")
  void overflowNearLongMaxIsRejected(
      @ForAll @LongRange(min = 0, max = 1_000_000) long over, @ForAll("unitIndex") int u) {
    BigInteger beyond =
        BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(over)).add(BigInteger.ONE);
    assertThatThrownBy(() -> ByteSizes.parse(beyond.toString()))
        .hasMessageStartingWith("too large");
    // The smallest whole multiple of the unit above Long.MAX_VALUE.
    BigInteger factor = BigInteger.valueOf(FACTORS[u]);
    BigInteger n = BigInteger.valueOf(Long.MAX_VALUE).divide(factor).add(BigInteger.ONE);
    assertThatThrownBy(() -> ByteSizes.parse(n + UNITS[u])).hasMessageStartingWith("too large");
    assertThat(ByteSizes.parse(n.subtract(BigInteger.ONE) + UNITS[u])).isNotNegative();
  }

  @Property(seed = "20251122")
  void percentOfWeightsIsExactAndRoundedDown(
      @ForAll @LongRange(min = 1, max = 1L << 50) long weights,
      @ForAll @LongRange(min = 0, max = 100_000) long thousandths) {
    BigDecimal pct = BigDecimal.valueOf(thousandths, 3);
    long expected =
        pct.multiply(BigDecimal.valueOf(weights))
            .divide(BigDecimal.valueOf(100))
            .setScale(0, RoundingMode.DOWN)
            .longValueExact();
    long got = ByteSizes.parse(pct.toPlainString() + "% weights", weights);
    assertThat(got).isEqualTo(expected);
    assertThat(got).isBetween(0L, weights);
  }

  @Property(seed = "20251122")
  void neverNegative(@ForAll("sizeLike") String text) {
    long v;
    try {
      v = ByteSizes.parse(text, 810_000_000_000L);
    } catch (IllegalArgumentException e) {
      return;
    }
    assertThat(v).isNotNegative();
  }

  @Provide
  Arbitrary<Integer> unitIndex() {
    return Arbitraries.integers().between(0, UNITS.length - 1);
  }

  @Provide
  Arbitrary<String> sizeLike() {
    Arbitrary<String> number =
        Arbitraries.strings().withChars("0123456789.-").ofMinLength(1).ofMaxLength(25);
    Arbitrary<String> unit =
        Arbitraries.of("", "B", "KB", "GiB", "TB", "% weights", "x weights", "gb", " MB", "x");
    return net.jqwik.api.Combinators.combine(number, unit).as((n, u) -> n + u);
  }
}
