package dev.sluice.demo;

/**
 * Splits answer text into token-like pieces of about four characters, the way an LLM's tokens look
 * on the wire: a word with its leading space ({@code " the"}), long words in parts of at most four
 * letters, runs of punctuation, spaces or newlines. Concatenating the pieces gives back the text
 * exactly; a surrogate pair is never split.
 *
 * <p>Why not a real tokenizer: the demo needs the shape of a token stream (many small SSE events,
 * mostly 3 to 5 characters), not any model's vocabulary, and must ship without data files.
 */
final class TokenBoundaries {

  /** Letters, digits or other non-space characters in one piece, not counting a leading space. */
  static final int MAX_PIECE = 4;

  private TokenBoundaries() {}

  /** The end (exclusive) of the piece that starts at {@code start}; {@code start < s.length()}. */
  static int next(String s, int start) {
    int n = s.length();
    int i = start;
    if (s.charAt(i) == '\n') {
      while (i < n && i - start < MAX_PIECE && s.charAt(i) == '\n') {
        i++;
      }
      return i;
    }
    if (startsWord(s, i)) {
      i++;
    }
    int cls = kind(s.codePointAt(i));
    int count = 0;
    while (i < n && count < MAX_PIECE) {
      int cp = s.codePointAt(i);
      if (cp == '\n' || kind(cp) != cls || (count > 0 && startsWord(s, i))) {
        break;
      }
      i += Character.charCount(cp);
      count++;
    }
    return i;
  }

  /** A space that belongs to the word after it. */
  private static boolean startsWord(String s, int i) {
    return s.charAt(i) == ' ' && i + 1 < s.length() && isWord(s.codePointAt(i + 1));
  }

  /** How many pieces {@code s} splits into. */
  static int count(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i = next(s, i)) {
      n++;
    }
    return n;
  }

  private static final int WORD = 0;
  private static final int SPACE = 1;
  private static final int OTHER = 2;

  private static int kind(int cp) {
    if (isWord(cp)) {
      return WORD;
    }
    return Character.isWhitespace(cp) ? SPACE : OTHER;
  }

  private static boolean isWord(int cp) {
    return Character.isLetterOrDigit(cp);
  }
}
