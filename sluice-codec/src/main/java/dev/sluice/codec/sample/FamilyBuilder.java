package dev.sluice.codec.sample;

import java.util.SplittableRandom;

/** Builds the response body one kind of server writes for an answer. */
@FunctionalInterface
public interface FamilyBuilder {

  /**
   * The body that answers with {@code text}, cut by {@code tokenizer}; ids, timestamps and merges
   * come from {@code random}, so the same seed gives the same bytes.
   */
  FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options);
}
