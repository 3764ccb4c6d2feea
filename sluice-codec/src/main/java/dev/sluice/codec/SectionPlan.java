package dev.sluice.codec;

import java.util.Arrays;

/**
 * The encoder's cut of a stream's input into units before any of them is coded, so the text coder
 * can look ahead (a text value's end is coded knowing the first character of the next text value).
 * Units: lines (lexed), binary runs, and chunks of a chunked HTTP body whose data are units of
 * their own. The HTTP framing is followed exactly as the decoder will follow it while decoding.
 *
 * <p>Units index {@link #src}, the plan's copy of the input, not the caller's array. Chunks whose
 * data end inside a line (a server's buffered writer, or a proxy that relays each socket read as a
 * chunk, cuts a long event anywhere) are joined with the complete chunks that follow them into one
 * <em>chunk group</em>, whose data is copied together behind the input in {@code src} so its lines
 * are cut whole; the lengths of the group's chunks but the last are its <em>cuts</em>. A line of
 * JSON cut in two would otherwise lex as two broken lines, whose values match no template.
 */
final class SectionPlan {
  static final int LINE = 0;
  static final int BINARY = 1;
  static final int CHUNK = 2;

  /** Longest line coded as a line; longer ones are binary. */
  static final int MAX_LINE = 256 << 10;

  /** Longest binary unit, and longest chunk coded as a chunk. */
  static final int MAX_BINARY = 64 << 10;

  /** The input being planned (at 0), then the data of chunk groups joined. */
  final ByteBuf src = new ByteBuf(1024);

  /** Per chunk unit: where its group's cuts start in {@link #cuts}, and how many. */
  int[] cutFirst = new int[64];

  int[] cutCount = new int[64];

  /** Data lengths of the chunks of groups, all but each group's last. */
  int[] cuts = new int[16];

  int cutsUsed;

  int units;
  int[] kind = new int[64];
  int[] start = new int[64];
  int[] end = new int[64];

  /** Flags per unit: the chunk flag is coded before it; it is chunk data; it ends its chunk. */
  boolean[] chunkFlag = new boolean[64];

  boolean[] inChunk = new boolean[64];
  boolean[] lastInChunk = new boolean[64];

  // Lexed lines: shape bytes in one arena, values in flat arrays.
  final ByteBuf shapes = new ByteBuf(1024);
  int[] shapeStart = new int[64];
  int[] shapeLen = new int[64];
  int[] firstValue = new int[64];
  int[] valueCount = new int[64];
  int values;
  int[] vStart = new int[256];
  int[] vEnd = new int[256];
  int[] vType = new int[256];

  private final Lexer lexer = new Lexer();

  /**
   * Plans units of {@code b[off, end)} with {@code framing} (advanced as the decoder will advance
   * it; the caller passes a copy it may keep).
   *
   * @return the bytes planned (less than {@code end - off} when a chunk is not all there yet)
   */
  int plan(byte[] in, int off, int limit, HttpFraming framing) {
    units = 0;
    values = 0;
    shapes.n = 0;
    cutsUsed = 0;
    int len = limit - off;
    // Room for the input and, behind it, every group's joined data (at most the input again), so
    // the array never moves while planning.
    if (src.a.length < 2 * len) {
      src.a = new byte[Math.max(2 * len, 2 * src.a.length)];
    }
    src.n = 0;
    src.put(in, off, len);
    byte[] b = src.a;
    int i = 0;
    while (i < len) {
      if (framing.expectSize()) {
        long ch = HttpFraming.chunk(b, i, len, MAX_BINARY);
        if (ch == -2 && units > 0) {
          break; // the rest of this chunk comes later: send what is complete
        }
        if (ch >= 0) {
          int next = group(b, i, len, ch);
          if (next < 0) {
            break; // a line cut by a chunk whose rest comes later: send what is complete
          }
          framing.chunkDone();
          i = next;
          continue;
        }
        int u = unitAt(b, i, limit, false, framing);
        chunkFlag[u] = true;
        i = end[u];
        continue;
      }
      int u = unitAt(b, i, len, false, framing);
      i = end[u];
    }
    return i;
  }

  /**
   * Plans the chunk group starting with the chunk at {@code b[i]} ({@code ch} as {@link
   * HttpFraming#chunk} found it): the chunk, and while the data so far ends inside a line, each
   * complete chunk that follows (up to {@link #MAX_BINARY} data bytes in all).
   *
   * @return where the group ends in {@code b}, or -1 when its data ends inside a line and the next
   *     chunk is not all there yet while other units precede it (the group waits for a later plan)
   */
  private int group(byte[] b, int i, int len, long ch) {
    int ds = (int) (ch >>> 32);
    int de = (int) ch;
    int next = de + 2;
    int pieces = 1;
    int total = de - ds;
    int firstCut = cutsUsed;
    int joined = -1;
    while (b[de - 1] != '\n') {
      long more = next < len ? HttpFraming.chunk(b, next, len, MAX_BINARY - total) : -2;
      if (more == -2 && units > 0) {
        cutsUsed = firstCut;
        return -1;
      }
      if (more < 0) {
        break;
      }
      if (joined < 0) {
        joined = src.n;
        src.put(b, ds, de - ds);
      }
      addCut(de - ds);
      ds = (int) (more >>> 32);
      de = (int) more;
      src.put(b, ds, de - ds);
      total += de - ds;
      next = de + 2;
      pieces++;
    }
    int chunkUnit = add(CHUNK, i, next, true, false);
    cutFirst[chunkUnit] = firstCut;
    cutCount[chunkUnit] = pieces - 1;
    int first = units;
    if (joined < 0) {
      planRange(b, ds, de, true, null);
    } else {
      planRange(b, joined, src.n, true, null);
    }
    if (units == first) {
      throw new IllegalStateException("a chunk without data units");
    }
    lastInChunk[units - 1] = true;
    return next;
  }

  private void addCut(int n) {
    if (cutsUsed == cuts.length) {
      cuts = Arrays.copyOf(cuts, cutsUsed * 2);
    }
    cuts[cutsUsed++] = n;
  }

  /**
   * How many of the {@code limit} bytes at {@code off} to plan when {@code end - off} are there:
   * all if nothing follows, else up to the last line end, so no line is cut in two (unless the
   * limit holds no line end).
   */
  static int lineLimit(byte[] b, int off, int limit, int end) {
    if (off + limit >= end) {
      return limit;
    }
    int k = limit;
    while (k > 0 && b[off + k - 1] != '\n') {
      k--;
    }
    return k > 0 ? k : limit;
  }

  /** Plans {@code b[off, end)} as binary units only (bytes that must arrive as they are). */
  void planBinary(byte[] in, int off, int len, HttpFraming framing) {
    units = 0;
    values = 0;
    shapes.n = 0;
    cutsUsed = 0;
    src.n = 0;
    src.put(in, off, len);
    for (int i = 0; i < len; ) {
      int e = Math.min(len, i + MAX_BINARY);
      add(BINARY, i, e, false, false);
      framing.binary();
      i = e;
    }
  }

  private void planRange(byte[] b, int s, int e, boolean chunkData, HttpFraming framing) {
    int i = s;
    while (i < e) {
      int u = unitAt(b, i, e, chunkData, framing);
      i = end[u];
    }
  }

  /** Adds the unit starting at {@code i}: a line or a binary run. */
  private int unitAt(byte[] b, int i, int e, boolean chunkData, HttpFraming framing) {
    int j = LineBreaks.find(b, i, Math.min(e, i + MAX_LINE));
    boolean binary = false;
    if (j >= i + MAX_LINE) {
      binary = true;
    } else {
      if (j < e) {
        j += b[j] == '\r' && j + 1 < e && b[j + 1] == '\n' ? 2 : 1;
      }
      binary = hasControl(b, i, j);
    }
    if (binary) {
      int be = Math.min(e, i + MAX_BINARY);
      int u = add(BINARY, i, be, false, chunkData);
      if (framing != null) {
        framing.binary();
      }
      return u;
    }
    int u = add(LINE, i, j, false, chunkData);
    lexer.lex(b, i, j);
    shapeStart[u] = shapes.n;
    shapeLen[u] = lexer.shape.n;
    shapes.put(lexer.shape.a, 0, lexer.shape.n);
    firstValue[u] = values;
    valueCount[u] = lexer.values;
    for (int v = 0; v < lexer.values; v++) {
      addValue(lexer.start[v], lexer.end[v], lexer.type[v]);
    }
    if (framing != null) {
      framing.line(b, i, j);
    }
    return u;
  }

  static boolean hasControl(byte[] b, int s, int e) {
    for (int k = s; k < e; k++) {
      int c = b[k];
      if (c >= 0 && c < 0x20 && c != '\t' && c != '\r' && c != '\n') {
        return true;
      }
    }
    return false;
  }

  private int add(int k, int s, int e, boolean flag, boolean chunkData) {
    if (units == kind.length) {
      int n = units * 2;
      kind = Arrays.copyOf(kind, n);
      start = Arrays.copyOf(start, n);
      end = Arrays.copyOf(end, n);
      chunkFlag = Arrays.copyOf(chunkFlag, n);
      cutFirst = Arrays.copyOf(cutFirst, n);
      cutCount = Arrays.copyOf(cutCount, n);
      inChunk = Arrays.copyOf(inChunk, n);
      lastInChunk = Arrays.copyOf(lastInChunk, n);
      shapeStart = Arrays.copyOf(shapeStart, n);
      shapeLen = Arrays.copyOf(shapeLen, n);
      firstValue = Arrays.copyOf(firstValue, n);
      valueCount = Arrays.copyOf(valueCount, n);
    }
    kind[units] = k;
    start[units] = s;
    end[units] = e;
    chunkFlag[units] = flag;
    inChunk[units] = chunkData;
    lastInChunk[units] = false;
    valueCount[units] = 0;
    return units++;
  }

  private void addValue(int s, int e, int t) {
    if (values == vStart.length) {
      int n = values * 2;
      vStart = Arrays.copyOf(vStart, n);
      vEnd = Arrays.copyOf(vEnd, n);
      vType = Arrays.copyOf(vType, n);
    }
    vStart[values] = s;
    vEnd[values] = e;
    vType[values] = t;
    values++;
  }
}
