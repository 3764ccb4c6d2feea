package dev.sluice.demo;

import dev.sluice.codec.sample.Tokenizer;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The answer as it will be sent: the source's text cut into the pieces a real server streams (the
 * o200k_base BPE tokenizer's tokens, whole UTF-8 characters each, as {@link Tokenizer#pieces} gives
 * them), cut after {@code max_tokens} pieces if the request set a limit, with OpenAI's {@code
 * finish_reason}.
 *
 * @param text what the client receives
 * @param pieces the text in the pieces it is streamed in, one content chunk each
 * @param tokens {@code usage.completion_tokens}: the number of pieces (a character that takes
 *     several byte tokens, rare outside emoji, counts once)
 * @param finishReason {@code "stop"}, or {@code "length"} when the limit cut the answer
 */
record Completion(String text, List<String> pieces, int tokens, String finishReason) {

  /** The demo's tokenizer: OpenAI's current vocabulary, loaded once. */
  static Tokenizer tokenizer() {
    return Tokenizer.o200k();
  }

  Completion {
    Objects.requireNonNull(text, "text");
    pieces = List.copyOf(pieces);
    Objects.requireNonNull(finishReason, "finishReason");
  }

  static Completion of(String answer, OptionalInt maxTokens) {
    Objects.requireNonNull(answer, "the answer source returned null");
    List<String> all = tokenizer().pieces(answer);
    int limit = maxTokens.orElse(Integer.MAX_VALUE);
    if (all.size() <= limit) {
      return new Completion(answer, all, all.size(), "stop");
    }
    List<String> kept = all.subList(0, limit);
    return new Completion(String.join("", kept), kept, limit, "length");
  }
}
