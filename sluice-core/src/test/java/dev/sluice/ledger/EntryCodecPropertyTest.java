package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class EntryCodecPropertyTest {

  @Property(seed = "20261122")
  void decodeInvertsEncodeAndEncodingIsStable(@ForAll("entries") LedgerEntry entry)
      throws Exception {
    byte[] bytes = EntryCodec.encode(entry);
    assertThat(bytes).hasSize(EntryCodec.encodedSize(entry));
    LedgerEntry back = EntryCodec.decode(bytes);
    assertThat(back).isEqualTo(entry);
    assertThat(EntryCodec.encode(back)).isEqualTo(bytes);
  }

  @Property(seed = "20261123")
  void arbitraryBytesEitherDecodeCanonicallyOrFailCleanly(@ForAll byte[] bytes) {
    try {
      LedgerEntry e = EntryCodec.decode(bytes);
      assertThat(EntryCodec.encode(e)).isEqualTo(bytes);
    } catch (EntryFormatException expected) {
      assertThat(expected.offset()).isBetween(0, bytes.length);
    }
  }

  @Property(seed = "20261124")
  void everyTruncationOrExtensionFails(@ForAll("entries") LedgerEntry entry) {
    byte[] bytes = EntryCodec.encode(entry);
    for (int n = 0; n <= bytes.length + 1; n++) {
      if (n == bytes.length) {
        continue;
      }
      byte[] other = java.util.Arrays.copyOf(bytes, n);
      boolean failed = false;
      try {
        EntryCodec.decode(other);
      } catch (EntryFormatException e) {
        failed = true;
      }
      assertThat(failed).as("length %d of %d", n, bytes.length).isTrue();
    }
  }

  @Provide
  Arbitrary<LedgerEntry> entries() {
    Arbitrary<EntryType> types = Arbitraries.of(EntryType.class);
    Arbitrary<Long> times = Arbitraries.longs();
    Arbitrary<List<Object>> values = value().list().ofMaxSize(6);
    return Combinators.combine(types, times, values)
        .as(
            (type, time, vals) -> {
              LedgerEntry.Builder b = LedgerEntry.builder(type, time);
              for (int i = 0; i < vals.size(); i++) {
                b.putValue("f" + i, vals.get(i));
              }
              return b.build();
            });
  }

  private static Arbitrary<Object> value() {
    Arbitrary<String> strings =
        Arbitraries.strings().all().ofMaxLength(20).filter(EntryCodecPropertyTest::wellFormed);
    return Arbitraries.oneOf(
        Arbitraries.longs().map(l -> (Object) l),
        strings.map(s -> (Object) s),
        Arbitraries.longs().list().ofMaxSize(5).map(l -> (Object) l),
        strings.list().ofMaxSize(5).map(l -> (Object) l));
  }

  private static boolean wellFormed(String s) {
    try {
      Utf8.length(s, "x");
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
