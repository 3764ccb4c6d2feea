package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The codec's lossless parts: lexing, JSON string forms, decimals, the vocabularies' table. */
class CodecPartsTest {

  @Property(seed = "20261206", tries = 500)
  void aLexedUnitIsRebuiltExactly(@ForAll("lines") String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    Lexer lx = new Lexer();
    lx.lex(b, 0, b.length);
    ByteBuf out = new ByteBuf(16);
    Lexer.rebuild(out, lx.shape.a, lx.shape.n, b, lx.start, lx.end);
    assertThat(out.toArray()).isEqualTo(b);
    for (int i = 0; i < lx.shape.n; i++) {
      assertThat(lx.shape.a[i]).isNotEqualTo((byte) 2); // only the two placeholders are < 0x09
    }
  }

  @Provide
  Arbitrary<String> lines() {
    Arbitrary<String> piece =
        Arbitraries.oneOf(
            Arbitraries.of(
                "data: ",
                "event: x",
                "id: 42",
                ": ping",
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "\"k\":",
                "true",
                "false",
                "null",
                "nul",
                "-0",
                "0.5",
                "1e9",
                "-12",
                "007",
                " ",
                "\t",
                "HTTP/1.1 200 OK",
                "date: Sun, 06 Dec 2026 01:03:26 GMT",
                "[DONE]",
                "\\"),
            Arbitraries.strings().withChars("ab\"\\ {}[],:0-9.eE\u00e9").ofMaxLength(8),
            Arbitraries.strings()
                .withChars("abc \\\"n\u00e9")
                .ofMaxLength(10)
                .map(s -> "\"" + s + "\""));
    Arbitrary<String> end = Arbitraries.of("\n", "\r\n", "\r", "");
    return net.jqwik.api.Combinators.combine(piece.list().ofMaxSize(12), end)
        .as((l, e) -> String.join("", l).replace("\n", "").replace("\r", "") + e);
  }

  @Property(seed = "20261206", tries = 500)
  void aJsonStringIsWrittenBackFromItsCharactersAndForms(
      @ForAll("unicode") String text, @ForAll("encoders") int encoder) {
    byte[] json = escape(text, encoder).getBytes(StandardCharsets.UTF_8);
    ByteBuf chars = new ByteBuf(16);
    ByteBuf forms = new ByteBuf(16);
    assertThat(JsonEscapes.parse(json, 0, json.length, chars, forms)).isTrue();
    assertThat(new String(chars.toArray(), StandardCharsets.UTF_8)).isEqualTo(text);
    ByteBuf out = new ByteBuf(16);
    int k = 0;
    for (int at = 0; at < chars.n; k++) {
      int len = Utf8.lengthOfLead(chars.a[at] & 0xFF);
      JsonEscapes.write(out, chars.a, at, len, Utf8.codePoint(chars.a, at, len), forms.a[k]);
      at += len;
    }
    assertThat(out.toArray()).isEqualTo(json);
  }

  @Provide
  Arbitrary<String> unicode() {
    return Arbitraries.strings()
        .withChars("aZ \"\\/\n\t\u0001\u001f<>&'\u00e9\u20ac\u2028\u007f")
        .withCharRange('\u0100', '\u0200')
        .ofMaxLength(20)
        .map(s -> s + (s.length() % 3 == 0 ? "\uD83D\uDE00" : ""));
  }

  @Provide
  Arbitrary<Integer> encoders() {
    return Arbitraries.integers().between(0, 3);
  }

  /** As JSON encoders write: 0 minimal, 1 Python (all non-ASCII as \\u), 2 Go, 3 upper hex. */
  private static String escape(String s, int encoder) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          boolean u =
              c < 0x20
                  || (encoder == 1 && c > 0x7e)
                  || (encoder == 2 && (c == '<' || c == '>' || c == '&' || c == '\u2028'))
                  || (encoder == 3 && c > 0x7e);
          if (u) {
            b.append(String.format(encoder == 3 ? "\\u%04X" : "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  @Property(seed = "20261206", tries = 500)
  void decimalsAreWrittenBackExactly(@ForAll("decimals") String d) {
    byte[] b = d.getBytes(StandardCharsets.US_ASCII);
    if (Decimals.fits(b, 0, b.length)) {
      ByteBuf out = new ByteBuf(16);
      Decimals.write(out, Decimals.mantissa(b, 0, b.length), Decimals.fraction(b, 0, b.length));
      assertThat(new String(out.toArray(), StandardCharsets.US_ASCII)).isEqualTo(d);
    }
  }

  @Provide
  Arbitrary<String> decimals() {
    return Arbitraries.strings().withChars("0123456789.-").ofMinLength(1).ofMaxLength(20);
  }

  @Test
  void someDecimalsFitAndOthersDoNot() {
    for (String ok : List.of("0.5", "-0.5", "1.0", "362.142", "66.27234620673659", "0.000")) {
      byte[] b = ok.getBytes(StandardCharsets.US_ASCII);
      assertThat(Decimals.fits(b, 0, b.length)).as(ok).isTrue();
    }
    for (String no : List.of("-0.0", "01.5", "1.", ".5", "1e5", "12", "1234567890.123456789")) {
      byte[] b = no.getBytes(StandardCharsets.US_ASCII);
      assertThat(Decimals.fits(b, 0, b.length)).as(no).isFalse();
    }
  }

  @Test
  void theVocabulariesKnowTheirTokens() {
    TokenVocab v = TokenVocab.shared();
    assertThat(flags(v, " the") & TokenVocab.TOKEN).isNotZero(); // o200k and cl100k
    assertThat(flags(v, " the") & TokenVocab.TOKEN << 3).isNotZero();
    assertThat(flags(v, " th") & TokenVocab.EXTENDS).isNotZero();
    assertThat(flags(v, "\u0000\u0001zq\u00ff\u00fe")).isZero();
  }

  private static int flags(TokenVocab v, String s) {
    long h = 0;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = TokenVocab.step(h, b & 0xFF);
    }
    return v.flags(h);
  }
}
