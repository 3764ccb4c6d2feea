package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusAnswersTest {

  @Test
  void readsBothCorpusFiles() {
    List<Answer> alpaca = CorpusAnswers.load(CorpusAnswers.ALPACA_EVAL);
    List<Answer> arena = CorpusAnswers.load(CorpusAnswers.ARENA_HARD);
    assertThat(alpaca).hasSize(13_454);
    assertThat(arena).hasSize(1_500);
    assertThat(alpaca).allSatisfy(a -> assertThat(a.prompt()).isNotBlank());
    assertThat(arena).allSatisfy(a -> assertThat(a.text()).isNotEmpty());
    assertThat(alpaca.stream().map(Answer::model).distinct().count()).isEqualTo(23);
  }

  @Test
  void theSplitIsByPromptAboutOneInFiveForTest() {
    List<Answer> alpaca = CorpusAnswers.load(CorpusAnswers.ALPACA_EVAL);
    Map<Split, Set<String>> prompts =
        alpaca.stream()
            .collect(
                Collectors.groupingBy(
                    Answer::split, Collectors.mapping(Answer::prompt, Collectors.toSet())));
    assertThat(prompts.get(Split.TRAIN)).doesNotContainAnyElementsOf(prompts.get(Split.TEST));
    int all = prompts.get(Split.TRAIN).size() + prompts.get(Split.TEST).size();
    assertThat(prompts.get(Split.TEST).size() * 100 / all).isBetween(15, 25);
    assertThat(CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST)).isNotEmpty();
    // Pinned, so that the split (and anything trained on it) never silently changes.
    assertThat(CorpusAnswers.splitOf("hello")).isEqualTo(Split.TRAIN);
    assertThat(CorpusAnswers.splitOf("prompt 0")).isEqualTo(Split.TEST);
  }

  @Test
  void readsEitherShapeOfRecord(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("mixed.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(
          ("{\"model\":\"a\",\"instruction\":\"Say hi\",\"output\":\"Hi \u00e9\"}\n"
                  + "\n"
                  + "{\"model\":\"b\",\"prompt\":\"Add\",\"answer\":\"1+1=2\\n\"}\n")
              .getBytes(StandardCharsets.UTF_8));
    }
    assertThat(CorpusAnswers.read(file))
        .containsExactly(
            new Answer("mixed.jsonl.gz", "a", "Say hi", "Hi \u00e9"),
            new Answer("mixed.jsonl.gz", "b", "Add", "1+1=2\n"));
  }

  @Test
  void aMissingFileSaysWhereTheCorpusBelongs(@TempDir Path dir) {
    assertThatThrownBy(() -> CorpusAnswers.read(dir.resolve(CorpusAnswers.ARENA_HARD)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(CorpusAnswers.ARENA_HARD + " is missing")
        .hasMessageContaining("../shared/corpus")
        .hasMessageContaining("-Dsluice.corpus.dir");
  }
}
