package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The text of each event: the tokenizer's pieces, or, where a server sends several tokens per
 * event, runs of 1 to {@code maxTokens} of them (uniform, from the stream's generator).
 */
final class EventPieces {
  private EventPieces() {}

  static List<String> of(String text, Tokenizer tokenizer, SplittableRandom random, int maxTokens) {
    List<String> tokens = tokenizer.pieces(text);
    if (maxTokens <= 1) {
      return tokens;
    }
    List<String> out = new ArrayList<>(tokens.size() / 2 + 1);
    for (int i = 0; i < tokens.size(); ) {
      int n = 1 + random.nextInt(maxTokens);
      StringBuilder b = new StringBuilder();
      for (int k = 0; k < n && i < tokens.size(); k++) {
        b.append(tokens.get(i++));
      }
      out.add(b.toString());
    }
    return out;
  }
}
