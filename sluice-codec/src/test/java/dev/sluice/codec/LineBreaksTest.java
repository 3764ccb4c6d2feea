package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

class LineBreaksTest {

  /** The word-at-a-time search finds what a byte-by-byte scan finds. */
  @Property(seed = "20261206")
  void findMatchesAByteScan(@ForAll("lineBytes") byte[] b, @ForAll @IntRange(max = 40) int from) {
    assumeThat(from).isLessThanOrEqualTo(b.length);
    int expected = from;
    while (expected < b.length && b[expected] != '\n' && b[expected] != '\r') {
      expected++;
    }
    assertThat(LineBreaks.find(b, from, b.length)).isEqualTo(expected);
  }

  /**
   * Bytes where line breaks, their neighbours (0x09, 0x0b, 0x0c, 0x0e) and high bytes are common.
   */
  @Provide
  Arbitrary<byte[]> lineBytes() {
    return Arbitraries.frequencyOf(
            Tuple.of(20, Arbitraries.bytes()),
            Tuple.of(1, Arbitraries.of((byte) '\n', (byte) '\r')),
            Tuple.of(3, Arbitraries.of((byte) 0x09, (byte) 0x0b, (byte) 0x0c, (byte) 0x0e)),
            Tuple.of(3, Arbitraries.of((byte) 0x8a, (byte) 0x8d, (byte) 0x01, (byte) 0x00)))
        .array(byte[].class)
        .ofMaxSize(80);
  }
}
