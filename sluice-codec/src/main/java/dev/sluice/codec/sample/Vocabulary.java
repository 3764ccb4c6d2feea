package dev.sluice.codec.sample;

import com.knuddels.jtokkit.api.EncodingType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The BPE vocabularies a {@link Tokenizer} can cut text with, by their tiktoken names. */
public enum Vocabulary {
  /** GPT-4o, GPT-4.1, o-series: the default. */
  O200K_BASE("o200k_base", EncodingType.O200K_BASE),
  /** GPT-4, GPT-3.5-turbo. */
  CL100K_BASE("cl100k_base", EncodingType.CL100K_BASE);

  private final String id;
  private final EncodingType type;

  Vocabulary(String id, EncodingType type) {
    this.id = id;
    this.type = type;
  }

  /** The tiktoken name, e.g. {@code o200k_base}. */
  public String id() {
    return id;
  }

  EncodingType encodingType() {
    return type;
  }

  /** The vocabulary named {@code id} (case-insensitive). */
  public static Vocabulary byId(String id) {
    for (Vocabulary v : values()) {
      if (v.id.equals(id.toLowerCase(Locale.ROOT))) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unknown vocabulary \""
            + id
            + "\"; known: "
            + Arrays.stream(values()).map(Vocabulary::id).collect(Collectors.joining(", ")));
  }
}
