package dev.sluice.demo;

/** OpenAI's {@code usage} object, counted in o200k tokens ({@link Completion}). */
record Usage(int promptTokens, int completionTokens) {
  int totalTokens() {
    return promptTokens + completionTokens;
  }
}
