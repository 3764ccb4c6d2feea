package dev.sluice.codec;

import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.HttpFraming;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import dev.sluice.codec.sample.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Frames training text as the egress streams of real inference servers, so the trainer can tune the
 * stream models and build the shape library, which plain text does not teach: every {@link Family}
 * in turn, cut by the o200k or the cl100k tokenizer, with and without usage, at varied times and
 * prompt sizes; every other one as a whole HTTP response as a gateway sends it (head and chunks). A
 * site that has captured its own streams trains on those as well ({@code --streams}).
 */
final class TuningStreams {
  private TuningStreams() {}

  /** The {@code i}-th tuning stream for UTF-8 text {@code utf8}, in one of {@code families}. */
  static byte[] frame(byte[] utf8, int i, SplittableRandom rnd, Family[] families) {
    String text = new String(utf8, StandardCharsets.UTF_8);
    Family f = families[i % families.length];
    Tokenizer tok =
        Tokenizer.of(
            (i / families.length) % 2 == 0 ? Vocabulary.O200K_BASE : Vocabulary.CL100K_BASE);
    long created = SampleOptions.DEFAULT_CREATED + rnd.nextInt(200_000_000);
    SampleOptions o =
        SampleOptions.defaults()
            .withIncludeUsage(rnd.nextBoolean())
            .withCreated(created)
            .withPromptTokens(8 + rnd.nextInt(2000));
    FamilyStream s = f.build(text, tok, rnd, o);
    return i % 2 == 0 ? HttpFraming.response(s, created) : s.body();
  }
}
