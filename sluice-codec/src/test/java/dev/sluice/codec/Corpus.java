package dev.sluice.codec;

import dev.sluice.codec.sample.HeldOut;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The shared corpus of real LLM answers ({@code ../shared/corpus} beside the repository, or {@code
 * -Dsluice.corpus.dir}), read by {@link HeldOut}. Nothing read from it, or derived from it, is ever
 * written outside {@code target/}: the AlpacaEval file is non-commercial (see its README).
 */
final class Corpus {
  static final String ALPACA = HeldOut.ALPACA_EVAL;
  static final String ARENA_HARD = HeldOut.ARENA_HARD;

  /** One answer: which model gave it, to which instruction or prompt, and its text. */
  record Answer(String model, String prompt, String text) {}

  private Corpus() {}

  static Path dir() {
    return HeldOut.corpusDir(Path.of(""));
  }

  static boolean present() {
    return Files.isRegularFile(dir().resolve(ARENA_HARD));
  }

  /** Every answer of {@code file}: AlpacaEval's instruction/output, Arena-Hard's prompt/answer. */
  static List<Answer> read(String file) throws IOException {
    return HeldOut.read(dir().resolve(file)).stream()
        .map(a -> new Answer(a.model(), a.prompt(), a.text()))
        .toList();
  }
}
