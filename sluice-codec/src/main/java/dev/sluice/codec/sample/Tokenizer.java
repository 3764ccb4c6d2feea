package dev.sluice.codec.sample;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.IntArrayList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts text where a real BPE tokenizer cuts it (jtokkit's tiktoken vocabularies), as inference
 * servers stream it: one piece per token, except that a piece always holds whole UTF-8 characters.
 * A token that ends inside a character (BPE vocabularies split rare characters and emoji into byte
 * tokens) is merged with the tokens after it until the bytes decode, as servers hold back partial
 * characters before they write an event.
 *
 * <p>Text is cut with {@code encodeOrdinary}: special-token text such as {@code <|endoftext|>} is
 * ordinary text here, as it is in a model's answer. Instances are immutable and thread-safe; the
 * vocabulary of each kind is loaded once, on first use (about 0.5 s and 50 MB for o200k_base).
 */
public final class Tokenizer {

  private static final Map<Vocabulary, Tokenizer> LOADED = new EnumMap<>(Vocabulary.class);
  private static EncodingRegistry registry;

  private final Vocabulary vocabulary;
  private final Encoding encoding;

  private Tokenizer(Vocabulary vocabulary, Encoding encoding) {
    this.vocabulary = vocabulary;
    this.encoding = encoding;
  }

  /** The tokenizer of {@code vocabulary}, loaded on first use. */
  public static synchronized Tokenizer of(Vocabulary vocabulary) {
    return LOADED.computeIfAbsent(
        vocabulary,
        v -> {
          if (registry == null) {
            registry = Encodings.newLazyEncodingRegistry();
          }
          return new Tokenizer(v, registry.getEncoding(v.encodingType()));
        });
  }

  /** o200k_base, the default vocabulary. */
  public static Tokenizer o200k() {
    return of(Vocabulary.O200K_BASE);
  }

  public Vocabulary vocabulary() {
    return vocabulary;
  }

  /** How many tokens {@code text} has. */
  public int count(String text) {
    return encoding.countTokensOrdinary(text);
  }

  /** The token ids of {@code text}. */
  public int[] ids(String text) {
    return encoding.encodeOrdinary(text).toArray();
  }

  /**
   * The pieces of {@code text}, one per token except where whole characters need several tokens;
   * their concatenation is {@code text}.
   *
   * @throws IllegalArgumentException if {@code text} has a lone surrogate (no UTF-8 for it)
   */
  public List<String> pieces(String text) {
    checkWellFormed(text);
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    IntArrayList ids = encoding.encodeOrdinary(text);
    List<String> out = new ArrayList<>(ids.size());
    IntArrayList one = new IntArrayList(1);
    int start = 0;
    int end = 0;
    for (int i = 0; i < ids.size(); i++) {
      one.clear();
      one.add(ids.get(i));
      end += encoding.decodeBytes(one).length;
      if (end > utf8.length) {
        break;
      }
      if (end == utf8.length || (utf8[end] & 0xC0) != 0x80) {
        out.add(new String(utf8, start, end - start, StandardCharsets.UTF_8));
        start = end;
      }
    }
    if (end != utf8.length || start != end) {
      throw new IllegalStateException(
          vocabulary.id()
              + ": the tokens of a "
              + utf8.length
              + "-byte text decode to "
              + end
              + " bytes");
    }
    return out;
  }

  private static void checkWellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "text has a lone surrogate U+" + Integer.toHexString(c) + " at char " + i);
      }
    }
  }
}
