package dev.sluice.codec;

/**
 * Cuts one unit (a line of an event stream, NDJSON or HTTP head, terminator included) into its
 * <em>shape</em> and its <em>values</em>, losslessly: the shape is the unit's bytes with each value
 * replaced by a placeholder byte, so {@link #rebuild} gives back the unit exactly.
 *
 * <p>What is a value: every JSON scalar (a string with its quotes, a number, {@code true}, {@code
 * false}, {@code null}) that is not an object key, found by a small JSON scanner that never fails
 * (bytes it does not understand stay in the shape); and the value of a line that is not JSON: the
 * rest of an SSE field line ({@code data: Hello}, {@code id: 42}, a header {@code date: ...}) or a
 * whole line of plain text. Keys, punctuation, whitespace, SSE field names, line terminators and
 * the event type of an {@code event:} line are shape: a unit's shape is its kind, and units of the
 * same kind repeat it exactly.
 *
 * <p>Placeholders: {@link #JSON} for a JSON scalar, {@link #RAW} for a non-JSON value. Units that
 * hold bytes below 0x20 other than tab, CR and LF never come here (they are binary), so the
 * placeholders are unambiguous. Not thread-safe; the arrays are reused from unit to unit.
 */
final class Lexer {
  static final byte JSON = 0;
  static final byte RAW = 1;

  /** Value types. */
  static final int STR = 0;

  static final int NUM = 1;
  static final int LIT = 2;
  static final int TXT = 3;

  /** Most values in one unit; the rest of a unit with more stays shape. */
  static final int MAX_VALUES = 1024;

  final ByteBuf shape = new ByteBuf(256);
  int values;
  int[] start = new int[64];
  int[] end = new int[64];
  int[] type = new int[64];

  /**
   * Cuts {@code b[off, end)}. The unit may end with a line terminator or not (a unit cut at the end
   * of a chunk or of a frame).
   */
  void lex(byte[] b, int off, int unitEnd) {
    shape.n = 0;
    values = 0;
    int ce = unitEnd;
    if (ce > off && b[ce - 1] == '\n') {
      ce--;
    }
    if (ce > off && b[ce - 1] == '\r') {
      ce--;
    }
    int i = off;
    int field = fieldName(b, off, ce);
    if (field > 0) {
      // An SSE field or a header: name, colon, one optional space, then the value.
      i = off + field + 1;
      if (i < ce && b[i] == ' ') {
        i++;
      }
      shape.put(b, off, i - off);
      if (isEvent(b, off, field)) {
        shape.put(b, i, ce - i); // the event type is the unit's kind
      } else if (i < ce && (b[i] == '{' || b[i] == '[')) {
        json(b, i, ce);
      } else if (i < ce) {
        raw(b, i, ce);
      }
    } else if (off < ce && b[off] == ':') {
      i = off + 1;
      if (i < ce && b[i] == ' ') {
        i++;
      }
      shape.put(b, off, i - off);
      if (i < ce) {
        raw(b, i, ce);
      }
    } else if (jsonLine(b, off, ce)) {
      json(b, off, ce);
    } else {
      raw(b, off, ce);
    }
    shape.put(b, ce, unitEnd - ce);
  }

  /** The length of a field name followed by a colon at {@code off}, or 0. */
  private static int fieldName(byte[] b, int off, int ce) {
    int n = 0;
    while (off + n < ce && n <= 40) {
      int c = b[off + n];
      if (c == ':') {
        return n;
      }
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (n > 0 && (c >= '0' && c <= '9'))
              || (n > 0 && (c == '-' || c == '_'));
      if (!ok) {
        return 0;
      }
      n++;
    }
    return 0;
  }

  private static boolean isEvent(byte[] b, int off, int len) {
    return len == 5
        && b[off] == 'e'
        && b[off + 1] == 'v'
        && b[off + 2] == 'e'
        && b[off + 3] == 'n'
        && b[off + 4] == 't';
  }

  /** Whether a line without a field name is JSON (an NDJSON line, or part of pretty JSON). */
  private static boolean jsonLine(byte[] b, int off, int ce) {
    int i = off;
    while (i < ce && (b[i] == ' ' || b[i] == '\t')) {
      i++;
    }
    if (i == ce) {
      return true;
    }
    int c = b[i];
    return c == '{' || c == '[' || c == '}' || c == ']' || c == '"';
  }

  private void raw(byte[] b, int s, int e) {
    add(s, e, isInteger(b, s, e) ? NUM : TXT);
    shape.put(RAW);
  }

  /** Scans JSON; never fails: what is not JSON stays shape. */
  private void json(byte[] b, int i, int e) {
    while (i < e) {
      int c = b[i];
      if (c == '"') {
        int j = stringEnd(b, i, e);
        if (j < 0) {
          shape.put(b, i, e - i);
          return;
        }
        int k = j;
        while (k < e && (b[k] == ' ' || b[k] == '\t')) {
          k++;
        }
        if ((k < e && b[k] == ':') || values == MAX_VALUES) {
          shape.put(b, i, j - i); // an object key
        } else {
          add(i, j, STR);
          shape.put(JSON);
        }
        i = j;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        int j = numberEnd(b, i, e);
        if (j > i && (j == e || delimiter(b[j])) && values < MAX_VALUES) {
          add(i, j, NUM);
          shape.put(JSON);
          i = j;
        } else {
          shape.put(c);
          i++;
        }
      } else if ((c == 't' || c == 'f' || c == 'n') && values < MAX_VALUES) {
        int j = literalEnd(b, i, e);
        if (j > i) {
          add(i, j, LIT);
          shape.put(JSON);
          i = j;
        } else {
          shape.put(c);
          i++;
        }
      } else {
        shape.put(c);
        i++;
      }
    }
  }

  private static boolean delimiter(byte c) {
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == ':';
  }

  /** The index after the closing quote of the string opening at {@code i}, or -1. */
  static int stringEnd(byte[] b, int i, int e) {
    int k = i + 1;
    while (k < e) {
      byte c = b[k];
      if (c == '\\') {
        k += 2;
      } else if (c == '"') {
        return k + 1;
      } else {
        k++;
      }
    }
    return -1;
  }

  /** The end of a JSON number at {@code i} (RFC 8259 grammar), or {@code i} if there is none. */
  static int numberEnd(byte[] b, int i, int e) {
    int k = i;
    if (k < e && b[k] == '-') {
      k++;
    }
    if (k >= e) {
      return i;
    }
    if (b[k] == '0') {
      k++;
    } else if (b[k] >= '1' && b[k] <= '9') {
      while (k < e && b[k] >= '0' && b[k] <= '9') {
        k++;
      }
    } else {
      return i;
    }
    if (k < e && b[k] == '.') {
      int d = k + 1;
      while (d < e && b[d] >= '0' && b[d] <= '9') {
        d++;
      }
      if (d == k + 1) {
        return i;
      }
      k = d;
    }
    if (k < e && (b[k] == 'e' || b[k] == 'E')) {
      int d = k + 1;
      if (d < e && (b[d] == '+' || b[d] == '-')) {
        d++;
      }
      int digits = d;
      while (d < e && b[d] >= '0' && b[d] <= '9') {
        d++;
      }
      if (d == digits) {
        return i;
      }
      k = d;
    }
    return k;
  }

  private static int literalEnd(byte[] b, int i, int e) {
    int n = b[i] == 'f' ? 5 : 4;
    if (i + n > e || (i + n < e && !delimiter(b[i + n]))) {
      return i;
    }
    byte[] lit = b[i] == 't' ? TRUE : b[i] == 'f' ? FALSE : NULL;
    for (int k = 1; k < n; k++) {
      if (b[i + k] != lit[k]) {
        return i;
      }
    }
    return i + n;
  }

  static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
  static final byte[] NULL = {'n', 'u', 'l', 'l'};

  /**
   * Whether {@code b[s, e)} is a canonical decimal integer of at most 18 digits: an optional minus,
   * no leading zero, not {@code -0}.
   */
  static boolean isInteger(byte[] b, int s, int e) {
    int k = s;
    if (k < e && b[k] == '-') {
      k++;
    }
    int digits = e - k;
    if (digits < 1 || digits > 18) {
      return false;
    }
    if (b[k] == '0' && (digits > 1 || k > s)) {
      return false;
    }
    for (int j = k; j < e; j++) {
      if (b[j] < '0' || b[j] > '9') {
        return false;
      }
    }
    return true;
  }

  /** The value of a canonical integer (see {@link #isInteger}). */
  static long parseInteger(byte[] b, int s, int e) {
    boolean neg = b[s] == '-';
    long v = 0;
    for (int k = neg ? s + 1 : s; k < e; k++) {
      v = v * 10 + (b[k] - '0');
    }
    return neg ? -v : v;
  }

  private void add(int s, int e, int t) {
    if (values == start.length) {
      start = java.util.Arrays.copyOf(start, values * 2);
      end = java.util.Arrays.copyOf(end, values * 2);
      type = java.util.Arrays.copyOf(type, values * 2);
    }
    start[values] = s;
    end[values] = e;
    type[values] = t;
    values++;
  }

  /**
   * Writes the unit back: the shape with each placeholder replaced by the next value of {@code
   * vals}, whose bytes are {@code vb[vs[i], ve[i])}.
   */
  static void rebuild(ByteBuf out, byte[] shape, int shapeLen, byte[] vb, int[] vs, int[] ve) {
    int v = 0;
    int from = 0;
    for (int i = 0; i < shapeLen; i++) {
      if (shape[i] == JSON || shape[i] == RAW) {
        out.put(shape, from, i - from);
        out.put(vb, vs[v], ve[v] - vs[v]);
        v++;
        from = i + 1;
      }
    }
    out.put(shape, from, shapeLen - from);
  }
}
