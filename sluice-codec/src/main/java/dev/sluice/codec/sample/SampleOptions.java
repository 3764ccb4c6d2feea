package dev.sluice.codec.sample;

/**
 * What a family builder may vary besides the text, the tokenizer and the seed.
 *
 * @param includeUsage as the client's {@code stream_options.include_usage}: the usage chunk (and
 *     {@code "usage":null} where the server writes it) for the OpenAI-style streams that have one
 * @param obfuscation OpenAI's stream obfuscation: a random {@code obfuscation} string on each
 *     streamed delta, padding its size so that response lengths do not reveal the tokens to a
 *     network observer (a side channel); the API adds it unless the client sends {@code
 *     stream_options.include_obfuscation: false}. Off here by default, as a bandwidth-minded client
 *     would ask; on, it is incompressible by design
 * @param tokensPerEvent at most this many tokens per event, the count drawn uniformly from 1 to it
 *     for each event; 0 for the family's own habit (one token, Anthropic several)
 * @param model the model name the stream reports, or null for the family's default
 * @param createdEpochSecond when the response was created (Unix seconds); timestamps start here
 * @param promptTokens {@code prompt_tokens} and its kin in usage objects
 */
public record SampleOptions(
    boolean includeUsage,
    boolean obfuscation,
    int tokensPerEvent,
    String model,
    long createdEpochSecond,
    int promptTokens) {

  /** 2025-11-24T16:53:20Z, a fixed moment so that streams are repeatable. */
  public static final long DEFAULT_CREATED = 1_764_003_200L;

  public SampleOptions {
    if (tokensPerEvent < 0) {
      throw new IllegalArgumentException("tokensPerEvent must be 0 or more, got " + tokensPerEvent);
    }
    if (promptTokens < 0) {
      throw new IllegalArgumentException("promptTokens must be 0 or more, got " + promptTokens);
    }
    if (createdEpochSecond < 0) {
      throw new IllegalArgumentException(
          "createdEpochSecond must not be negative, got " + createdEpochSecond);
    }
  }

  /** Usage on, obfuscation off, the family's own cuts and model, 24 prompt tokens. */
  public static SampleOptions defaults() {
    return new SampleOptions(true, false, 0, null, DEFAULT_CREATED, 24);
  }

  public SampleOptions withIncludeUsage(boolean on) {
    return new SampleOptions(
        on, obfuscation, tokensPerEvent, model, createdEpochSecond, promptTokens);
  }

  public SampleOptions withObfuscation(boolean on) {
    return new SampleOptions(
        includeUsage, on, tokensPerEvent, model, createdEpochSecond, promptTokens);
  }

  public SampleOptions withTokensPerEvent(int n) {
    return new SampleOptions(includeUsage, obfuscation, n, model, createdEpochSecond, promptTokens);
  }

  public SampleOptions withModel(String name) {
    return new SampleOptions(
        includeUsage, obfuscation, tokensPerEvent, name, createdEpochSecond, promptTokens);
  }

  public SampleOptions withCreated(long epochSecond) {
    return new SampleOptions(
        includeUsage, obfuscation, tokensPerEvent, model, epochSecond, promptTokens);
  }

  public SampleOptions withPromptTokens(int n) {
    return new SampleOptions(
        includeUsage, obfuscation, tokensPerEvent, model, createdEpochSecond, n);
  }

  /** The model to report: the option, else {@code familyDefault}. */
  String modelOr(String familyDefault) {
    return model == null ? familyDefault : model;
  }
}
