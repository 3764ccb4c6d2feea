package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

  private static final LedgerEntry GRANT =
      LedgerEntry.builder(EntryType.GRANT, 1_700_000_000_123L)
          .put("id", 7)
          .putStrings("nodes", List.of("site", "inference"))
          .put("amount", 4096)
          .putLongs("seen", List.of(1L, -1L))
          .put("why", "é€😀")
          .putStrings("none", List.of())
          .build();

  @Test
  void encodesTheDocumentedLayout() {
    byte[] b = EntryCodec.encode(LedgerEntry.builder(EntryType.HALT, 1).put("a", -2).build());
    assertThat(HexFormat.of().formatHex(b))
        .isEqualTo(
            "01" + "15" + "0000000000000001" + "0001" + "01" + "61" + "01" + "fffffffffffffffe");
  }

  @Test
  void stringsAndListsHaveLengthPrefixes() {
    LedgerEntry e =
        LedgerEntry.builder(EntryType.DENY, 0)
            .put("s", "é")
            .putStrings("l", List.of("x"))
            .putStrings("e", List.of())
            .putLongs("n", List.of(5L))
            .build();
    assertThat(HexFormat.of().formatHex(EntryCodec.encode(e)))
        .isEqualTo(
            "0114000000000000000000040173020000"
                + "0002c3a9"
                + "016c04000100000001"
                + "78"
                + "0165040000"
                + "016e0300010000000000000005");
  }

  @Test
  void roundTripsAndSizeIsExact() throws Exception {
    byte[] b = EntryCodec.encode(GRANT);
    assertThat(b).hasSize(EntryCodec.encodedSize(GRANT));
    assertThat(EntryCodec.decode(b)).isEqualTo(GRANT);
    assertThat(EntryCodec.encode(EntryCodec.decode(b))).isEqualTo(b);
  }

  @Test
  void rejectsUnpairedSurrogatesWhenEncoding() {
    LedgerEntry e = LedgerEntry.builder(EntryType.ALERT, 0).put("m", "a\uD800b").build();
    assertThatThrownBy(() -> EntryCodec.encode(e)).hasMessageContaining("unpaired surrogate");
  }

  @Test
  void rejectsUnknownVersionTypeAndKindNamingTheOffset() {
    byte[] b = EntryCodec.encode(GRANT);
    assertError(with(b, 0, 2), 0, "codec version");
    assertError(with(b, 1, 99), 1, "unknown entry type code 99");
    int firstKind = 12 + 1 + 2; // header, key length, "id"
    assertError(with(b, firstKind, 9), firstKind, "unknown value kind 9");
  }

  @Test
  void rejectsTrailingBytesAndTruncation() {
    byte[] b = EntryCodec.encode(GRANT);
    byte[] longer = java.util.Arrays.copyOf(b, b.length + 1);
    assertError(longer, b.length, "trailing bytes");
    for (int n = 0; n < b.length; n++) {
      byte[] shorter = java.util.Arrays.copyOf(b, n);
      assertThatThrownBy(() -> EntryCodec.decode(shorter)).isInstanceOf(EntryFormatException.class);
    }
  }

  @Test
  void rejectsLengthsBeyondThePayload() {
    byte[] b = EntryCodec.encode(LedgerEntry.builder(EntryType.ALERT, 0).put("m", "hi").build());
    int lengthAt = 12 + 1 + 1 + 1;
    byte[] bad = with(b, lengthAt, 0x7f);
    assertError(bad, lengthAt, "needs");
  }

  @Test
  void rejectsBadUtf8AndBadKeys() {
    byte[] b = EntryCodec.encode(LedgerEntry.builder(EntryType.ALERT, 0).put("m", "hi").build());
    int stringAt = 12 + 1 + 1 + 1 + 4;
    assertError(with(b, stringAt, 0xC0), stringAt, "not valid UTF-8");
    assertError(with(b, 13, 'M'), 13, "not [a-z0-9_]");
    assertError(with(b, 12, 0), 12, "key length 0");
  }

  @Test
  void rejectsDuplicateKeysAndNonCanonicalEmptyLongList() {
    byte[] dup =
        HexFormat.of()
            .parseHex(
                "011500000000000000000002"
                    + "016101"
                    + "0000000000000001"
                    + "016101"
                    + "0000000000000002");
    assertError(dup, 23, "duplicate field 'a'");
    byte[] emptyKind3 = HexFormat.of().parseHex("011500000000000000000001" + "0161030000");
    assertError(emptyKind3, 15, "must be encoded as kind 4");
  }

  private static byte[] with(byte[] b, int index, int value) {
    byte[] c = b.clone();
    c[index] = (byte) value;
    return c;
  }

  private static void assertError(byte[] payload, int offset, String message) {
    assertThatThrownBy(() -> EntryCodec.decode(payload))
        .isInstanceOfSatisfying(
            EntryFormatException.class, e -> assertThat(e.offset()).isEqualTo(offset))
        .hasMessageContaining(message)
        .hasMessageContaining("at payload byte " + offset);
  }
}
