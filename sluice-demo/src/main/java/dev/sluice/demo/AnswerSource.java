package dev.sluice.demo;

/**
 * Where the text of each answer comes from: given a chat request, the full answer the "model"
 * gives. The server splits it into token-sized pieces and streams them, or returns it whole.
 *
 * <p>Called on a Netty event loop, once per request, so it must compute the answer from memory and
 * never block (no I/O, no locks held for long). It may be called from several event loops at once.
 * Throwing {@link IllegalArgumentException} answers {@code 400} with the exception's message in
 * OpenAI's error shape; any other exception answers {@code 500}.
 */
@FunctionalInterface
public interface AnswerSource {

  /** The whole answer to {@code request}; may be empty, never null. */
  String answer(ChatRequest request);
}
