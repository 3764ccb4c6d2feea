package dev.sluice.codec.sample;

import java.util.SplittableRandom;

/**
 * The random parts of the ids servers give responses, drawn from the stream's seeded generator so
 * the same seed gives the same bytes: OpenAI's base62 {@code chatcmpl-} and {@code call_} ids,
 * hexadecimal request ids (vLLM's {@code uuid4().hex}), Anthropic's base58-looking {@code msg_01}
 * ids.
 */
final class Ids {
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  private static final String HEX = "0123456789abcdef";

  private Ids() {}

  static String base62(SplittableRandom random, int n) {
    return draw(random, BASE62, n);
  }

  static String base58(SplittableRandom random, int n) {
    return draw(random, BASE58, n);
  }

  static String hex(SplittableRandom random, int n) {
    return draw(random, HEX, n);
  }

  private static String draw(SplittableRandom random, String alphabet, int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
