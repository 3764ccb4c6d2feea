package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TokenBoundariesTest {

  static List<String> pieces(String s) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < s.length(); ) {
      int end = TokenBoundaries.next(s, i);
      out.add(s.substring(i, end));
      i = end;
    }
    return out;
  }

  @Test
  void wordsCarryTheirLeadingSpaceAndLongWordsSplit() {
    assertThat(pieces("Hello, the quick world.\n\nOK"))
        .containsExactly("Hell", "o", ",", " the", " quic", "k", " worl", "d", ".", "\n\n", "OK");
  }

  @Test
  void codeAndRunsOfSpaces() {
    assertThat(pieces("if (x) {\n    return y;\n}"))
        .containsExactly(
            "if", " ", "(", "x", ")", " ", "{", "\n", "   ", " retu", "rn", " y", ";", "\n", "}");
  }

  @Test
  void surrogatePairsStayWhole() {
    assertThat(pieces("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"))
        .containsExactly("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00", "\uD83D\uDE00");
  }

  @Property
  void piecesAreNonEmptyAndShortAndRebuildTheText(@ForAll String s) {
    List<String> pieces = pieces(s);
    assertThat(String.join("", pieces)).isEqualTo(s);
    assertThat(TokenBoundaries.count(s)).isEqualTo(pieces.size());
    int at = 0;
    for (String p : pieces) {
      assertThat(p).isNotEmpty();
      assertThat(p.codePointCount(0, p.length()))
          .isLessThanOrEqualTo(TokenBoundaries.MAX_PIECE + 1);
      if (at > 0) {
        assertThat(Character.isSurrogatePair(s.charAt(at - 1), s.charAt(at)))
            .as("split inside a surrogate pair at %d", at)
            .isFalse();
      }
      at += p.length();
    }
  }
}
