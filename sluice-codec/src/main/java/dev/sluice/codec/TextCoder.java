package dev.sluice.codec;

/**
 * Codes the values that carry text (model output, and any other string that reads like text) with
 * the stream's {@link TextModel}, one character at a time, and where each value ends together with
 * the text: at each position the coder says whether a next character is coded at all, codes it, and
 * then whether the value ends before it, knowing it. A tokenizer's cuts are nearly decided by the
 * next character, so a value's end costs little this way. The character after an end is the first
 * of the next text value of the section ({@link #pending}). For JSON strings, each character's
 * written form ({@link JsonEscapes}) follows it.
 *
 * <p>Also codes a value that repeats text already in the history (the Responses API's closing
 * events carry the whole answer again) as a reference: its length and distance, not its bytes.
 */
final class TextCoder {
  private static final int REF = 40;
  private static final int LOOK = 64;
  private static final int FORMS_DEFAULT = 48;
  private static final int FLAGS = 88;

  final TextModel model;
  private final TokenVocab vocab = TokenVocab.shared();
  final Probs flags = new Probs(FLAGS);
  final Probs forms = new Probs(JsonEscapes.CATEGORIES * 4);

  /** The character coded after the last value's end, which opens the next text value. */
  private final byte[] pend = new byte[4];

  private int pendLen;

  /** How the last text value ended: 0 none yet, 1 with the next value's first character, 2 not. */
  int lastEnd;

  /** Text values coded in the current section. */
  int valuesInSection;

  /** The class of the current section ({@link StreamCodec}: first, after a small one, a large). */
  int sectionClass;

  /**
   * Codes whether the value ends with the first character of the next text value of the section
   * (then each character is followed by a boundary decision) or without one (then each is preceded
   * by an end decision): a frame's last value, or the end of the text.
   */
  private int look(BitCoding c, int look) {
    int ctx = LOOK + (sectionClass * 4 + Math.min(valuesInSection, 3)) * 2 + (lastEnd == 2 ? 1 : 0);
    valuesInSection++;
    return flags.code(c, ctx, look);
  }

  private long lastRefLen = -1;
  private long lastRefExtra;

  private final byte[] ch = new byte[4];

  TextCoder(TextModel model) {
    this.model = model;
  }

  boolean pending() {
    return pendLen > 0;
  }

  /** The pending character's bytes (valid while {@link #pending}). */
  byte[] pendingChar() {
    return pend;
  }

  int pendingLength() {
    return pendLen;
  }

  /**
   * Encodes a text value: characters {@code u[0, n)} (UTF-8, well-formed), their forms {@code f}
   * (one per character; null for a non-JSON value), and the first character of the next text value
   * of the section, {@code next[0, nl)} ({@code nl} = 0: none). If a character is pending it must
   * be this value's first.
   */
  void encode(BitCoding c, byte[] u, int n, byte[] f, byte[] next, int nl)
      throws CodecFormatException {
    c.mark(BitCoding.M_LITERAL);
    boolean look = look(c, nl > 0 ? 1 : 0) != 0;
    int pos = 0;
    int l = 0;
    int hash = 0;
    long vh = 0;
    if (pendLen > 0) {
      pos = pendLen;
      hash = hashChar(hash, pend, pendLen);
      vh = vocabHash(0, pend, 0, pendLen);
      pendLen = 0;
      form(c, f, u, 0, 0, pos);
      l = 1;
    }
    int fw = l > 0 ? vocab.flags(vh) : 0;
    while (true) {
      byte[] src;
      int at;
      int len;
      int bnd;
      if (pos < n) {
        src = u;
        at = pos;
        len = Utf8.lengthOfLead(u[pos] & 0xFF);
        bnd = 0;
      } else if (nl > 0) {
        src = next;
        at = 0;
        len = nl;
        bnd = 1;
      } else {
        c.mark(BitCoding.M_END);
        model.codeEnd(c, l, hash, 1, fw, sectionClass);
        lastEnd = 2;
        return;
      }
      c.mark(BitCoding.M_END);
      if (l > 0 && !look) {
        model.codeEnd(c, l, hash, 0, fw, sectionClass);
      }
      c.mark(BitCoding.M_TEXT);
      for (int k = 0; k < len; k++) {
        model.codeByte(c, src[at + k] & 0xFF);
      }
      long vhc = vocabHash(vh, src, at, len);
      int fwc = vocab.flags(vhc);
      c.mark(BitCoding.M_BOUNDARY);
      if (l > 0 && look && model.codeBoundary(c, src[at] & 0xFF, l, hash, bnd, fw, fwc) != 0) {
        System.arraycopy(src, at, pend, 0, len);
        pendLen = len;
        lastEnd = 1;
        return;
      }
      form(c, f, u, l, pos, len);
      hash = hashChar(hash, src, at, len);
      vh = vhc;
      fw = fwc;
      pos += len;
      l++;
    }
  }

  private void form(BitCoding c, byte[] f, byte[] u, int index, int at, int len)
      throws CodecFormatException {
    if (f != null) {
      c.mark(BitCoding.M_FORM);
      int cp = Utf8.codePoint(u, at, Utf8.lengthOfLead(u[at] & 0xFF));
      int cat = JsonEscapes.category(cp);
      forms.tree(c, cat * 4, 2, f[index]);
    }
  }

  /**
   * Decodes a text value into {@code out}: as a JSON string body (escaped per the decoded forms)
   * when {@code json}, else as raw UTF-8. At most {@code max} characters.
   */
  void decode(BitCoding c, boolean json, ByteBuf out, int max) throws CodecFormatException {
    boolean look = look(c, 0) != 0;
    int l = 0;
    int hash = 0;
    long vh = 0;
    if (pendLen > 0) {
      emit(c, json, out, pend, pendLen);
      hash = hashChar(hash, pend, pendLen);
      vh = vocabHash(0, pend, 0, pendLen);
      pendLen = 0;
      l = 1;
    }
    int fw = l > 0 ? vocab.flags(vh) : 0;
    while (true) {
      if (l > 0 && !look && model.codeEnd(c, l, hash, 0, fw, sectionClass) != 0) {
        lastEnd = 2;
        return;
      }
      int b0 = model.codeByte(c, 0);
      int len = Utf8.lengthOfLead(b0);
      ch[0] = (byte) b0;
      for (int k = 1; k < len; k++) {
        ch[k] = (byte) model.codeByte(c, 0);
      }
      if (Utf8.length(ch, 0, len) != len) {
        throw new CodecFormatException(-1, "text that is not UTF-8");
      }
      long vhc = vocabHash(vh, ch, 0, len);
      int fwc = vocab.flags(vhc);
      if (l > 0 && look && model.codeBoundary(c, b0, l, hash, 0, fw, fwc) != 0) {
        System.arraycopy(ch, 0, pend, 0, len);
        pendLen = len;
        lastEnd = 1;
        return;
      }
      emit(c, json, out, ch, len);
      hash = hashChar(hash, ch, 0, len);
      vh = vhc;
      fw = fwc;
      if (++l > max) {
        throw new CodecFormatException(-1, "a text value longer than " + max + " characters");
      }
    }
  }

  private static long vocabHash(long h, byte[] b, int at, int len) {
    for (int k = 0; k < len; k++) {
      h = TokenVocab.step(h, b[at + k] & 0xFF);
    }
    return h;
  }

  private void emit(BitCoding c, boolean json, ByteBuf out, byte[] b, int len)
      throws CodecFormatException {
    if (!json) {
      out.put(b, 0, len);
      return;
    }
    int cp = Utf8.codePoint(b, 0, len);
    int cat = JsonEscapes.category(cp);
    int form = forms.tree(c, cat * 4, 2, 0);
    if (!JsonEscapes.allowed(cat, form)) {
      throw new CodecFormatException(-1, "character form " + form + " for category " + cat);
    }
    JsonEscapes.write(out, b, 0, len, cp, form);
  }

  /** Drops a pending character (a section ended; the encoder never leaves one). */
  boolean takePendingLeft() {
    boolean had = pendLen > 0;
    pendLen = 0;
    return had;
  }

  // ---- references to earlier text ----

  /**
   * Where {@code u[0, n)} occurs in the text history, as {@code distance} back from its end, or -1.
   * Tries the end of the history (the text repeats all that came before it), the last reference's
   * distance, then every position of the window.
   */
  long findReference(byte[] u, int n) {
    int avail = model.historyAvailable();
    if (n < 16 || n > avail) {
      return -1;
    }
    if (matches(u, n, n)) {
      return n;
    }
    long d = n + lastRefExtra;
    if (lastRefExtra > 0 && d <= avail && matches(u, n, (int) d)) {
      return d;
    }
    // Anywhere else in the window, latest first.
    int b0 = u[0] & 0xFF;
    int b1 = u[1] & 0xFF;
    for (int back = n + 1; back <= avail; back++) {
      if (model.historyByte(back) == b0
          && model.historyByte(back - 1) == b1
          && matches(u, n, back)) {
        return back;
      }
    }
    return -1;
  }

  private boolean matches(byte[] u, int n, int d) {
    for (int i = 0; i < n; i++) {
      if (model.historyByte(d - i) != (u[i] & 0xFF)) {
        return false;
      }
    }
    return true;
  }

  /** Codes the reference to {@code n} bytes at {@code d} back (ignored when decoding). */
  long[] codeReference(BitCoding c, NumberCoder numbers, long n, long d)
      throws CodecFormatException {
    boolean enc = !c.decoding();
    long len;
    if (flags.code(c, REF, enc && n == lastRefLen ? 1 : 0) != 0) {
      len = lastRefLen;
    } else {
      len = numbers.code(c, 14, n);
    }
    long extra;
    if (flags.code(c, REF + 1, enc && d - n == lastRefExtra ? 1 : 0) != 0) {
      extra = lastRefExtra;
    } else {
      extra = numbers.code(c, 15, d - n);
    }
    long dist = len + extra;
    if (len < 1 || extra < 0 || dist > model.historyAvailable()) {
      throw new CodecFormatException(-1, "a text reference outside the history");
    }
    lastRefLen = len;
    lastRefExtra = extra;
    return new long[] {len, dist};
  }

  /**
   * Codes the forms of the characters of a referenced text: one flag if every character has the
   * form its category uses most, else each form.
   */
  void codeReferenceForms(BitCoding c, byte[] u, int n, byte[] f) throws CodecFormatException {
    boolean enc = !c.decoding();
    int allDefault = 1;
    if (enc) {
      int k = 0;
      for (int i = 0; i < n; k++) {
        int len = Utf8.lengthOfLead(u[i] & 0xFF);
        int cat = JsonEscapes.category(Utf8.codePoint(u, i, len));
        if (f[k] != likelyForm(cat)) {
          allDefault = 0;
          break;
        }
        i += len;
      }
    }
    allDefault = flags.code(c, FORMS_DEFAULT, allDefault);
    int k = 0;
    for (int i = 0; i < n; k++) {
      int len = Utf8.lengthOfLead(u[i] & 0xFF);
      int cat = JsonEscapes.category(Utf8.codePoint(u, i, len));
      int form = allDefault != 0 ? likelyForm(cat) : forms.tree(c, cat * 4, 2, enc ? f[k] : 0);
      if (!JsonEscapes.allowed(cat, form)) {
        throw new CodecFormatException(-1, "character form " + form + " for category " + cat);
      }
      f[k] = (byte) form;
      i += len;
    }
  }

  /** The form the model finds most likely for a category (an allowed one). */
  int likelyForm(int cat) {
    int best = -1;
    int bestP = -1;
    for (int form = 0; form < 4; form++) {
      if (!JsonEscapes.allowed(cat, form)) {
        continue;
      }
      int hi = form >> 1;
      int p1 = forms.p(cat * 4 + 1);
      int pHi = hi == 1 ? p1 : 4096 - p1;
      int p2 = forms.p(cat * 4 + 2 + hi);
      int pLo = (form & 1) == 1 ? p2 : 4096 - p2;
      int p = pHi * pLo;
      if (p > bestP) {
        bestP = p;
        best = form;
      }
    }
    return best;
  }

  private static int hashChar(int h, byte[] b, int len) {
    return hashChar(h, b, 0, len);
  }

  private static int hashChar(int h, byte[] b, int at, int len) {
    for (int k = 0; k < len; k++) {
      h = (h + (b[at + k] & 0xFF) + 1) * 0x01000193;
    }
    return h;
  }
}
