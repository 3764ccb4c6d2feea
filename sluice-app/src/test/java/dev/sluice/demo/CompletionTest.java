package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class CompletionTest {

  @Test
  void withoutALimitTheWholeAnswerStops() {
    Completion c = Completion.of("Hello there", OptionalInt.empty());
    assertThat(c).isEqualTo(new Completion("Hello there", 4, "stop"));
  }

  @Test
  void maxTokensCutsAfterThatManyPiecesWithFinishReasonLength() {
    Completion c = Completion.of("Hello there, world", OptionalInt.of(3));
    assertThat(c).isEqualTo(new Completion("Hello ther", 3, "length"));
  }

  @Test
  void aLimitTheAnswerFitsInStops() {
    assertThat(Completion.of("Hi", OptionalInt.of(1))).isEqualTo(new Completion("Hi", 1, "stop"));
    assertThat(Completion.of("", OptionalInt.of(1))).isEqualTo(new Completion("", 0, "stop"));
  }
}
