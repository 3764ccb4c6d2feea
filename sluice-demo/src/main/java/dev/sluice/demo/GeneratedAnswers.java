package dev.sluice.demo;

import java.util.SplittableRandom;

/**
 * The demo's answer source: readable, varied English prose made up from a seed and the
 * conversation, so {@code sluice demo} ships without any data. The same seed and messages always
 * give the same answer; different prompts give different ones.
 *
 * <p>Length, in order of precedence: a size named in the last user message ("write 200 kB", "500
 * words", see {@link AnswerLength}); else, when the request sets {@code max_tokens}, enough text to
 * reach that limit (the answer then ends with {@code finish_reason: "length"}, like a model that
 * talks until it is cut off); else a few paragraphs, 400 to 2,400 bytes. Never more than {@code
 * maxBytes}. Long answers are what let a demo exhaust a small budget.
 *
 * <p>Thread-safe: each answer uses its own random generator.
 */
public final class GeneratedAnswers implements AnswerSource {

  /** Default cap on one answer: 16 MiB. */
  public static final int DEFAULT_MAX_BYTES = 16 << 20;

  /** Bytes of prose generated per requested token, enough that the limit always cuts. */
  static final int BYTES_PER_TOKEN_BOUND = 12;

  private final long seed;
  private final int maxBytes;

  public GeneratedAnswers(long seed) {
    this(seed, DEFAULT_MAX_BYTES);
  }

  /**
   * @param maxBytes the longest answer, at least 1
   */
  public GeneratedAnswers(long seed, int maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
    }
    this.seed = seed;
    this.maxBytes = maxBytes;
  }

  @Override
  public String answer(ChatRequest request) {
    SplittableRandom random = new SplittableRandom(seed ^ conversationHash(request));
    String prompt = request.lastUserMessage();
    long target = AnswerLength.requestedBytes(prompt).orElse(-1);
    if (target < 0 && request.maxTokens().isPresent()) {
      // The prose's o200k tokens average under 6 bytes: this much text holds at least maxTokens.
      target = (long) request.maxTokens().getAsInt() * BYTES_PER_TOKEN_BOUND;
    }
    if (target < 0) {
      target = 400 + random.nextInt(2001);
    }
    int limit = (int) Math.min(target, maxBytes);
    return new ProseWriter(random).write(ProseWriter.topic(prompt), limit, maxBytes);
  }

  private static long conversationHash(ChatRequest request) {
    long h = 0x9E3779B97F4A7C15L;
    for (ChatMessage m : request.messages()) {
      h = CompletionIds.mix(h ^ m.role().hashCode());
      String c = m.content();
      for (int i = 0; i < c.length(); i++) {
        h = (h ^ c.charAt(i)) * 0x100000001B3L;
      }
      h = CompletionIds.mix(h);
    }
    return h;
  }
}
