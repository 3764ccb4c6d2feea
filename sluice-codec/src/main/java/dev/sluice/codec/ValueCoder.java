package dev.sluice.codec;

import java.util.Arrays;

/**
 * Codes one value of a unit against its template (the value the same slot held last time): the same
 * value costs one well-predicted flag; else its type, and by type: a literal; an integer as the
 * difference from the template (a counter that repeats its step costs a flag); another number as
 * bytes against the template; a string by the class that suits it best:
 *
 * <ul>
 *   <li>{@link #TEXT}: with the text model ({@link TextCoder});
 *   <li>{@link #ID}: bytes against the template's (ids, hashes, names);
 *   <li>{@link #DIGITS}: the template with its digit runs changed (timestamps, dates), each run as
 *       a difference;
 *   <li>{@link #REF_STRING}: a string the stream had recently in another slot, by its rank;
 *   <li>{@link #REF_TEXT}: text the stream already carried, by length and distance;
 *   <li>{@link #EMPTY}.
 * </ul>
 *
 * <p>The encoder picks the class by what the string holds; the decoder is told. Part of a stream's
 * state.
 */
final class ValueCoder {

  static final int EMPTY = 0;
  static final int TEXT = 1;
  static final int ID = 2;
  static final int DIGITS = 3;
  static final int REF_STRING = 4;
  static final int REF_TEXT = 5;

  private static final int SAME = 0;
  private static final int SAME_TYPE = 64;
  private static final int TYPE = 80;
  private static final int LIT = 88;
  private static final int CANON = 92;
  private static final int REPEAT = 96;
  private static final int CLASS = 104;
  private static final int RANK = 232;
  private static final int WIDTH = 248;
  private static final int SAME_INHERITED = 256;
  private static final int DECIMAL = 272;
  private static final int SAME_FRACTION = 276;
  private static final int NEAR = 277;

  /** Whether the template of the value being coded came from the library. */
  private boolean inheritedNow;

  private static final long MAX_INT = 999_999_999_999_999_999L;

  final Probs flags = new Probs(NEAR + 2);
  final NumberCoder numbers;
  final DiffCoder diff;
  final TextCoder text;
  final RecentStrings recent = new RecentStrings();

  /** The value coded last (decoding: the value decoded), and its type. */
  final ByteBuf out = new ByteBuf(256);

  int outType;

  private final ByteBuf u = new ByteBuf(256);
  private final ByteBuf f = new ByteBuf(256);
  private final DigitRuns digitRuns;

  ValueCoder(NumberCoder numbers, DiffCoder diff, TextCoder text) {
    this.numbers = numbers;
    this.diff = diff;
    this.text = text;
    this.digitRuns = new DigitRuns(numbers, flags, WIDTH);
  }

  /**
   * Codes value {@code i} of a unit of shape {@code sh}, whose template is the shape's stored value
   * {@code i} if it has one. Encoding: the value is {@code v[vs, ve)} of type {@code vt}; {@code
   * forced} says it must be coded as text (it opens with the pending character); {@code la} finds
   * the first character of the section's next text value, if this one is coded as text. Decoding:
   * those are ignored, and the value is left in {@link #out}.
   */
  void code(
      BitCoding c,
      Shape sh,
      int i,
      byte kind,
      byte[] v,
      int vs,
      int ve,
      int vt,
      boolean forced,
      TextLookahead la)
      throws CodecFormatException {
    boolean enc = !c.decoding();
    boolean hasT = sh.known[i];
    byte[] tb = sh.vals;
    int ts = sh.valueStart(i);
    int te = sh.vEnd[i];
    int tt = hasT ? sh.vType[i] : 0;
    int key = (int) sh.hash * 31 + i;
    out.n = 0;
    c.mark(BitCoding.M_SAME);
    inheritedNow = false;
    if (hasT) {
      boolean eq = enc && !forced && vt == tt && Arrays.equals(v, vs, ve, tb, ts, te);
      inheritedNow = sh.inherited[i];
      int ctxS =
          sh.inherited[i]
              ? SAME_INHERITED + ((sh.stable[i] ? 1 : 0) | kind << 1 | tt << 2)
              : SAME + ((sh.same[i] & 7) | kind << 3 | tt << 4);
      sh.inherited[i] = false;
      int same = flags.code(c, ctxS, eq ? 1 : 0);
      boolean repeated = (sh.same[i] & 1) != 0;
      sh.same[i] = (byte) (((sh.same[i] << 1) | same) & 7);
      if (same != 0) {
        out.put(tb, ts, te - ts);
        outType = tt;
        // The first repeat makes it recent again; later repeats would only say so again.
        if (!repeated && (tt == Lexer.STR || tt == Lexer.TXT) && sh.cls[i] != TEXT && te - ts > 2) {
          recent.use(tb, ts, te, tt);
        }
        return;
      }
    }
    c.mark(BitCoding.M_TYPE);
    int type;
    if (hasT && flags.code(c, SAME_TYPE + kind * 4 + tt, enc && vt == tt ? 1 : 0) != 0) {
      type = tt;
    } else if (kind == Lexer.RAW) {
      type = flags.code(c, TYPE + 7, enc && vt == Lexer.NUM ? 1 : 0) != 0 ? Lexer.NUM : Lexer.TXT;
    } else {
      type = flags.tree(c, TYPE, 2, enc ? vt : 0);
      if (type == Lexer.TXT) {
        throw new CodecFormatException(-1, "a JSON value of type " + type);
      }
    }
    outType = type;
    c.mark(type == Lexer.LIT ? BitCoding.M_LITERAL : BitCoding.M_NUMBER);
    switch (type) {
      case Lexer.LIT -> literal(c, enc ? v[vs] : 0);
      case Lexer.NUM -> number(c, sh, i, kind, key, v, vs, ve, hasT && tt == Lexer.NUM);
      default -> string(c, sh, i, type, key, v, vs, ve, hasT, forced, la);
    }
  }

  private void literal(BitCoding c, byte first) throws CodecFormatException {
    int which = first == 't' ? 0 : first == 'f' ? 1 : 2;
    which = flags.tree(c, LIT, 2, which);
    if (which == 3) {
      throw new CodecFormatException(-1, "literal 3");
    }
    byte[] lit = which == 0 ? Lexer.TRUE : which == 1 ? Lexer.FALSE : Lexer.NULL;
    out.put(lit, 0, lit.length);
  }

  private void number(
      BitCoding c,
      Shape sh,
      int i,
      byte kind,
      int key,
      byte[] v,
      int vs,
      int ve,
      boolean numericTemplate)
      throws CodecFormatException {
    boolean enc = !c.decoding();
    byte[] tb = sh.vals;
    int ts = sh.valueStart(i);
    int te = sh.vEnd[i];
    int canon = flags.code(c, CANON + kind, enc && Lexer.isInteger(v, vs, ve) ? 1 : 0);
    if (canon == 0) {
      int dec = flags.code(c, DECIMAL + kind, enc && Decimals.fits(v, vs, ve) ? 1 : 0);
      if (dec != 0) {
        decimalNumber(c, sh, i, key, v, vs, ve, numericTemplate);
        return;
      }
      if (numericTemplate) {
        diff.code(c, DiffCoder.NUMBER, v, vs, ve - vs, Arrays.copyOfRange(tb, ts, te), te - ts, 64);
      } else {
        diff.code(c, DiffCoder.NUMBER, v, vs, ve - vs, NONE, 0, 64);
      }
      if (diff.out.n == 0) {
        throw new CodecFormatException(-1, "an empty number");
      }
      out.put(diff.out.a, 0, diff.out.n);
      return;
    }
    long value;
    boolean fromLibrary = inheritedNow;
    if (numericTemplate && Lexer.isInteger(tb, ts, te) && lastLarge != 0 && fromLibrary) {
      // A template from another stream: this stream's last large integer may be closer.
      long x = enc ? Lexer.parseInteger(v, vs, ve) : 0;
      long t0 = Lexer.parseInteger(tb, ts, te);
      boolean near = Math.abs(x - lastLarge) < Math.abs(x - t0);
      if (flags.code(c, NEAR + 1, enc && near ? 1 : 0) != 0) {
        value = lastLarge + numbers.code(c, 11, x - lastLarge);
        finishInteger(value);
        return;
      }
    }
    if (numericTemplate && Lexer.isInteger(tb, ts, te)) {
      long t0 = Lexer.parseInteger(tb, ts, te);
      long d = enc ? Lexer.parseInteger(v, vs, ve) - t0 : 0;
      long last = sh.delta[i];
      if (last != 0
          && flags.code(c, REPEAT + Math.min(sh.same[i] & 3, 3), enc && d == last ? 1 : 0) != 0) {
        d = last;
      } else {
        d = numbers.code(c, key & 7, d);
      }
      sh.delta[i] = d;
      value = t0 + d;
    } else {
      // No integer template: near the stream's last large integer (a second timestamp), or alone.
      long x = enc ? Lexer.parseInteger(v, vs, ve) : 0;
      boolean near = lastLarge != 0 && Math.abs(x - lastLarge) < Math.abs(lastLarge) / 16;
      if (lastLarge != 0 && flags.code(c, NEAR, enc && near ? 1 : 0) != 0) {
        value = lastLarge + numbers.code(c, 11, x - lastLarge);
      } else {
        value = numbers.code(c, 8 + (key & 3), x);
      }
    }
    finishInteger(value);
  }

  private void finishInteger(long value) throws CodecFormatException {
    if (Math.abs(value) >= LARGE) {
      lastLarge = value;
    }
    if (value > MAX_INT || value < -MAX_INT) {
      throw new CodecFormatException(-1, "an integer out of range: " + value);
    }
    decimal(out, value);
  }

  private static final byte[] NONE = new byte[0];

  /** Integers this large are timestamps and the like: a later one is coded near the last. */
  private static final long LARGE = 1 << 20;

  private long lastLarge;

  /**
   * A decimal fraction ({@link Decimals}): its digits after the point, then its digits as one
   * integer, against the template's when it has as many digits after the point.
   */
  private void decimalNumber(
      BitCoding c, Shape sh, int i, int key, byte[] v, int vs, int ve, boolean numericTemplate)
      throws CodecFormatException {
    boolean enc = !c.decoding();
    byte[] tb = sh.vals;
    int ts = sh.valueStart(i);
    int te = sh.vEnd[i];
    int tf = numericTemplate && Decimals.fits(tb, ts, te) ? Decimals.fraction(tb, ts, te) : -1;
    int f = enc ? Decimals.fraction(v, vs, ve) : 0;
    if (tf < 0 || flags.code(c, SAME_FRACTION, enc && f == tf ? 1 : 0) == 0) {
      f = (int) numbers.code(c, 12, f);
    } else {
      f = tf;
    }
    if (f < 1 || f > 17) {
      throw new CodecFormatException(-1, f + " digits after a decimal point");
    }
    long m = enc ? Decimals.mantissa(v, vs, ve) : 0;
    long value;
    if (tf == f) {
      long t0 = Decimals.mantissa(tb, ts, te);
      value = t0 + numbers.code(c, 4 + (key & 3), m - t0);
    } else {
      value = numbers.code(c, 8 + (key & 3), m);
    }
    if (Math.abs(value) > MAX_INT) {
      throw new CodecFormatException(-1, "a decimal out of range: " + value);
    }
    Decimals.write(out, value, f);
  }

  private void string(
      BitCoding c,
      Shape sh,
      int i,
      int type,
      int key,
      byte[] v,
      int vs,
      int ve,
      boolean hasT,
      boolean forced,
      TextLookahead la)
      throws CodecFormatException {
    boolean enc = !c.decoding();
    boolean json = type == Lexer.STR;
    int cs = json ? vs + 1 : vs;
    int ce = json ? ve - 1 : ve;
    int tt = sh.vType[i];
    boolean strT = hasT && (tt == Lexer.STR || tt == Lexer.TXT);
    byte[] tb = sh.vals;
    int tcs = strT ? sh.valueStart(i) + (tt == Lexer.STR ? 1 : 0) : 0;
    int tce = strT ? sh.vEnd[i] - (tt == Lexer.STR ? 1 : 0) : 0;
    int cls = 0;
    long ref = -1;
    int rank = -1;
    if (enc) {
      cls = choose(sh, i, type, json, v, vs, ve, cs, ce, strT, tb, tcs, tce, forced);
      if (cls == REF_TEXT) {
        ref = text.findReference(u.a, u.n);
      } else if (cls == REF_STRING) {
        rank = recent.find(v, vs, ve, type);
      }
    }
    c.mark(BitCoding.M_TYPE);
    int ctx = CLASS + ((sh.cls[i] & 7) * 2 + (json ? 1 : 0)) * 8;
    cls = flags.tree(c, ctx, 3, cls);
    sh.cls[i] = (byte) cls;
    c.mark(
        cls == ID
            ? BitCoding.M_ID
            : cls == DIGITS
                ? BitCoding.M_DIGITS
                : cls == TEXT ? BitCoding.M_TEXT : BitCoding.M_REF);
    switch (cls) {
      case EMPTY -> {
        if (!json) {
          throw new CodecFormatException(-1, "an empty raw value");
        }
        out.put('"');
        out.put('"');
      }
      case TEXT -> {
        if (json) {
          out.put('"');
        }
        if (enc) {
          int nl = la.next();
          text.encode(c, u.a, u.n, json ? f.a : null, la.chars, nl);
          out.put(v, cs, ce - cs);
        } else {
          text.decode(c, json, out, SectionPlan.MAX_LINE);
        }
        if (json) {
          out.put('"');
        }
      }
      case ID -> {
        if (strT) {
          diff.code(
              c,
              DiffCoder.STRING,
              v,
              cs,
              ce - cs,
              Arrays.copyOfRange(tb, tcs, tce),
              tce - tcs,
              SectionPlan.MAX_LINE);
        } else {
          diff.code(c, DiffCoder.STRING, v, cs, ce - cs, NONE, 0, SectionPlan.MAX_LINE);
        }
        if (!json && diff.out.n == 0) {
          throw new CodecFormatException(-1, "an empty raw value");
        }
        wrap(json, diff.out.a, 0, diff.out.n);
      }
      case DIGITS -> digitRuns.code(c, key, json, v, cs, ce, strT, tb, tcs, tce, out);
      case REF_STRING -> {
        rank = flags.tree(c, RANK, 4, rank);
        if (rank >= recent.size() || recent.type(rank) != type) {
          throw new CodecFormatException(
              -1, "a reference to string " + rank + " of " + recent.size());
        }
        byte[] r = recent.get(rank);
        out.put(r, 0, r.length);
      }
      case REF_TEXT -> refText(c, json, ref);
      default -> throw new CodecFormatException(-1, "value class " + cls);
    }
    if (cls != TEXT && cls != REF_TEXT && out.n > (json ? 2 : 0)) {
      recent.use(out.a, 0, out.n, type);
    }
  }

  private int choose(
      Shape sh,
      int i,
      int type,
      boolean json,
      byte[] v,
      int vs,
      int ve,
      int cs,
      int ce,
      boolean strT,
      byte[] tb,
      int tcs,
      int tce,
      boolean forced) {
    int n = ce - cs;
    u.n = 0;
    f.n = 0;
    boolean textOk;
    if (json) {
      textOk = n > 0 && JsonEscapes.parse(v, cs, ce, u, f);
    } else {
      textOk = n > 0 && Utf8.valid(v, cs, ce);
      if (textOk) {
        u.put(v, cs, n);
      }
    }
    if (forced) {
      sh.tokens[i] = true;
      return TEXT;
    }
    if (n == 0) {
      return EMPTY;
    }
    if (sh.cls[i] != TEXT && n >= 4 && recent.find(v, vs, ve, type) >= 0) {
      return REF_STRING;
    }
    if (textOk && u.n >= 16 && text.findReference(u.a, u.n) >= 0) {
      return REF_TEXT;
    }
    if (strT && DigitRuns.sameSkeleton(v, cs, ce, tb, tcs, tce)) {
      return DIGITS;
    }
    if (strT && !sh.tokens[i]) {
      // A variant of the template (an event type, a status) in a slot that is mostly the same:
      // its difference is cheaper than text, and it stays out of the text history.
      int common = Arrays.mismatch(v, cs, ce, tb, tcs, tce);
      if (common >= 4 && common * 2 >= n) {
        return ID;
      }
    }
    boolean textSlot = sh.cls[i] == TEXT && (sh.tokens[i] || (sh.same[i] & 6) == 0);
    if (textOk && !text.pending() && (textSlot || !Identifiers.looksLikeId(v, cs, ce))) {
      return TEXT;
    }
    return ID;
  }

  private void wrap(boolean json, byte[] b, int off, int n) {
    if (json) {
      out.put('"');
    }
    out.put(b, off, n);
    if (json) {
      out.put('"');
    }
  }

  private void refText(BitCoding c, boolean json, long ref) throws CodecFormatException {
    boolean enc = !c.decoding();
    long[] ld = text.codeReference(c, numbers, enc ? u.n : 0, enc ? ref : 0);
    int n = (int) ld[0];
    int d = (int) ld[1];
    if (!enc) {
      u.n = 0;
      for (int k = 0; k < n; k++) {
        u.put(text.model.historyByte(d - k));
      }
      if (!Utf8.valid(u.a, 0, n)) {
        throw new CodecFormatException(-1, "a text reference that is not UTF-8");
      }
    }
    if (json) {
      int chars = 0;
      for (int k = 0; k < n; k += Utf8.lengthOfLead(u.a[k] & 0xFF)) {
        chars++;
      }
      if (f.a.length < chars) {
        f.a = Arrays.copyOf(f.a, chars);
      }
      text.codeReferenceForms(c, u.a, n, f.a);
      out.put('"');
      int k = 0;
      for (int at = 0; at < n; k++) {
        int len = Utf8.lengthOfLead(u.a[at] & 0xFF);
        JsonEscapes.write(out, u.a, at, len, Utf8.codePoint(u.a, at, len), f.a[k]);
        at += len;
      }
      out.put('"');
    } else {
      out.put(u.a, 0, n);
    }
  }

  void trimBuffers(int keep) {
    out.trim(keep);
    u.trim(keep);
    f.trim(keep);
  }

  static void decimal(ByteBuf out, long v) {
    String s = Long.toString(v);
    for (int k = 0; k < s.length(); k++) {
      out.put(s.charAt(k));
    }
  }
}
