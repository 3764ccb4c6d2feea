package dev.sluice.demo;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * The answer as it will be sent: the source's text, cut after {@code max_tokens} pieces if the
 * request set a limit, with the number of pieces and OpenAI's {@code finish_reason}.
 *
 * @param text what the client receives
 * @param tokens how many {@link TokenBoundaries} pieces {@code text} has ({@code
 *     usage.completion_tokens}; one content chunk each when streamed)
 * @param finishReason {@code "stop"}, or {@code "length"} when the limit cut the answer
 */
record Completion(String text, int tokens, String finishReason) {

  Completion {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(finishReason, "finishReason");
  }

  static Completion of(String answer, OptionalInt maxTokens) {
    Objects.requireNonNull(answer, "the answer source returned null");
    int limit = maxTokens.orElse(Integer.MAX_VALUE);
    int count = 0;
    int end = 0;
    while (end < answer.length() && count < limit) {
      end = TokenBoundaries.next(answer, end);
      count++;
    }
    boolean cut = end < answer.length();
    return new Completion(answer.substring(0, end), count, cut ? "length" : "stop");
  }
}
