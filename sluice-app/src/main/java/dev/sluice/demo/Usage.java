package dev.sluice.demo;

/** OpenAI's {@code usage} object, counted in {@link TokenBoundaries} pieces. */
record Usage(int promptTokens, int completionTokens) {
  int totalTokens() {
    return promptTokens + completionTokens;
  }
}
