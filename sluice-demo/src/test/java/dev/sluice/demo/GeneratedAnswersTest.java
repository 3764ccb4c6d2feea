package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GeneratedAnswersTest {
  private final GeneratedAnswers answers = new GeneratedAnswers(7);

  @Test
  void sameSeedAndPromptGiveTheSameAnswerOthersDiffer() {
    String a = answers.answer(Requests.user("How do budgets work?", ""));
    assertThat(new GeneratedAnswers(7).answer(Requests.user("How do budgets work?", "")))
        .isEqualTo(a);
    assertThat(answers.answer(Requests.user("How do ledgers work?", ""))).isNotEqualTo(a);
    assertThat(new GeneratedAnswers(8).answer(Requests.user("How do budgets work?", "")))
        .isNotEqualTo(a);
  }

  @Test
  void aDefaultAnswerIsAFewParagraphsOfPlainSentences() {
    for (int i = 0; i < 50; i++) {
      String a = answers.answer(Requests.user("Question number " + i + "?", ""));
      assertThat(a.length()).isBetween(400, 4000);
      assertThat(a).matches("(?s)[A-Z].*").doesNotContain("  ").matches("[\\x20-\\x7e\\n]+");
      assertThat(a).contains("Question number " + i).endsWith(".");
    }
  }

  @Test
  void aSizeInThePromptGivesAnAnswerAtLeastThatLong() {
    String a = answers.answer(Requests.user("Please write 200 kB about rivers", ""));
    assertThat(a.length()).isBetween(200_000, 201_000);
    // Long answers stay varied: no paragraph or list repeats (headings may).
    assertThat(Arrays.stream(a.split("\n\n")).filter(p -> !p.startsWith("### ")))
        .doesNotHaveDuplicates()
        .hasSizeGreaterThan(300);
  }

  @Test
  void maxTokensWithoutASizeFillsTheLimit() {
    ChatRequest r = Requests.user("Tell me everything", ",\"max_tokens\":5000");
    Completion c = Completion.of(answers.answer(r), r.maxTokens());
    assertThat(c.tokens()).isEqualTo(5000);
    assertThat(c.finishReason()).isEqualTo("length");
  }

  @Test
  void answersNeverExceedTheCap() {
    String a = new GeneratedAnswers(1, 10_000).answer(Requests.user("write 5 MB", ""));
    assertThat(a.length()).isBetween(9_000, 10_000);
  }

  @Test
  void sizesInPrompts() {
    assertThat(AnswerLength.requestedBytes("write 200 kB")).hasValue(200_000);
    assertThat(AnswerLength.requestedBytes("write 200kb please")).hasValue(200_000);
    assertThat(AnswerLength.requestedBytes("2 MiB of text")).hasValue(2 << 20);
    assertThat(AnswerLength.requestedBytes("3 MB")).hasValue(3_000_000);
    assertThat(AnswerLength.requestedBytes("64 KiB")).hasValue(65_536);
    assertThat(AnswerLength.requestedBytes("500 words")).hasValue(3_000);
    assertThat(AnswerLength.requestedBytes("100 tokens")).hasValue(400);
    assertThat(AnswerLength.requestedBytes("1000 bytes")).hasValue(1_000);
    assertThat(AnswerLength.requestedBytes("version 1.5 MB")).isEqualTo(OptionalLong.empty());
    assertThat(AnswerLength.requestedBytes("three kB")).isEqualTo(OptionalLong.empty());
    assertThat(AnswerLength.requestedBytes("5 kbps")).isEqualTo(OptionalLong.empty());
  }
}
