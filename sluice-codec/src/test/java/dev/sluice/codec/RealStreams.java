package dev.sluice.codec;

import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Corpus answers framed as OpenAI's chat-completion stream with o200k tokens ({@link
 * Family#OPENAI_CHAT}), repeatable: stream {@code n} of {@code seed} always has the same bytes.
 */
final class RealStreams {
  private RealStreams() {}

  /** The stream of answer {@code text} by {@code model}, with or without the usage chunk. */
  static FamilyStream openAiChat(long seed, long n, String model, String text, boolean usage) {
    SampleOptions options =
        SampleOptions.defaults()
            .withModel(model)
            .withIncludeUsage(usage)
            .withCreated(SampleOptions.DEFAULT_CREATED + n * 7);
    return Family.OPENAI_CHAT.build(
        text, Tokenizer.o200k(), new SplittableRandom(seed ^ (n * 0x9E3779B97F4A7C15L)), options);
  }

  /** The whole body. */
  static byte[] stream(long seed, long n, String model, String text, boolean usage) {
    return openAiChat(seed, n, model, text, usage).body();
  }

  /** The events, each as its exact bytes. */
  static List<byte[]> events(long seed, long n, String model, String text, boolean usage) {
    return openAiChat(seed, n, model, text, usage).writes();
  }
}
