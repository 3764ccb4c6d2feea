package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalInt;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class CompletionTest {

  @Test
  void withoutALimitTheWholeAnswerStopsInO200kTokens() {
    Completion c = Completion.of("Hello there", OptionalInt.empty());
    assertThat(c).isEqualTo(new Completion("Hello there", List.of("Hello", " there"), 2, "stop"));
  }

  @Test
  void maxTokensCutsAfterThatManyTokensWithFinishReasonLength() {
    Completion c = Completion.of("Hello there, world", OptionalInt.of(3));
    assertThat(c)
        .isEqualTo(new Completion("Hello there,", List.of("Hello", " there", ","), 3, "length"));
  }

  @Test
  void aLimitTheAnswerFitsInStops() {
    assertThat(Completion.of("Hi", OptionalInt.of(1)))
        .isEqualTo(new Completion("Hi", List.of("Hi"), 1, "stop"));
    assertThat(Completion.of("", OptionalInt.of(1)))
        .isEqualTo(new Completion("", List.of(), 0, "stop"));
  }

  @Test
  void aCharacterOfSeveralByteTokensIsOnePiece() {
    // U+1D518 is two o200k tokens; a server holds the first back until the character is whole.
    assertThat(Completion.of("a 𝔘", OptionalInt.empty()).pieces()).containsExactly("a", " ", "𝔘");
  }

  @Property(seed = "20261209")
  void piecesAreNonEmptyAndRebuildTheText(@ForAll String s) {
    Assume.that(wellFormed(s));
    Completion c = Completion.of(s, OptionalInt.empty());
    assertThat(String.join("", c.pieces())).isEqualTo(s);
    assertThat(c.pieces()).allSatisfy(p -> assertThat(p).isNotEmpty());
    int at = 0;
    for (String p : c.pieces()) {
      if (at > 0) {
        assertThat(Character.isSurrogatePair(s.charAt(at - 1), s.charAt(at)))
            .as("split inside a surrogate pair at %d", at)
            .isFalse();
      }
      at += p.length();
    }
  }

  private static boolean wellFormed(String s) {
    return s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
  }
}
