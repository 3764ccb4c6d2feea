package dev.sluice.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Method (d) of the measurement: a stream of events coded as (1) each chunk's envelope as a
 * difference from the previous one, (2) where the text was split into chunks, with a small adaptive
 * model over character classes, and (3) the concatenated text, returned for a text compressor.
 * Parts (1) and (2) are arithmetic-coded into their own byte streams, each sized with its flush
 * bytes. Only the past is used as context, as a streaming codec must: each event is decodable when
 * it arrives. Test code: sizes only, no decoder yet.
 */
final class StructuredModel {
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final int FIELDS = 13;

  private final BitCoder.Bit isChunk = new BitCoder.Bit();
  private final BitCoder.Bit isDone = new BitCoder.Bit();
  private final BitCoder.NumberModel rawLength = new BitCoder.NumberModel();
  private final BitCoder.ByteModel rawByte = new BitCoder.ByteModel();
  private final BitCoder.Bit[] sameEnvelope = bits(4);
  private final BitCoder.Bit[] sameField = bits(FIELDS * 4);
  private final BitCoder.Bit[] flag = bits(FIELDS * 2);
  private final BitCoder.Bit[] isNull = bits(FIELDS);
  private final BitCoder.NumberModel[] length = numbers(FIELDS);
  private final BitCoder.ByteModel[] chars = bytes(FIELDS);
  private final BitCoder.NumberModel number = new BitCoder.NumberModel();
  private final BitCoder.Bit sign = new BitCoder.Bit();
  private final BitCoder.Bit[] empty = bits(4);
  private final BitCoder.Bit[] ends = bits(7 * 7 * 8);
  private final BitCoder.Bit[] endsAhead = bits(7 * 7 * 8 * 8);
  private final BitCoder.Bit[] emptyAhead = bits(4);
  private String pending;
  private int pendingKind;

  private ChatChunk.Envelope prev;
  private int prevKind; // 0 chunk, 1 done, 2 other, 3 none yet
  private int prevClass = 6;

  /** The coded parts of one stream. */
  static final class Parts {
    final BitCoder envelope = new BitCoder();
    final BitCoder boundaries = new BitCoder();

    /** The boundaries coded knowing the next character too: not streamable, for comparison. */
    final BitCoder lookahead = new BitCoder();

    final ByteArrayOutputStream text = new ByteArrayOutputStream();
  }

  /** Starts a new stream (the learnt statistics stay). */
  void newStream() {
    pending = null;
    aheadClass = 6;
    prevKind = 3;
    prevClass = 6;
  }

  void event(Parts out, byte[] event) {
    ChatChunk c = ChatChunk.parse(event);
    out.envelope.encode(c != null ? 1 : 0, isChunk);
    if (c == null) {
      boolean done = Arrays.equals(event, DONE);
      out.envelope.encode(done ? 1 : 0, isDone);
      if (!done) {
        rawLength.encode(out.envelope, event.length);
        for (byte b : event) {
          rawByte.encode(out.envelope, b & 0xFF);
        }
      }
      prevKind = done ? 1 : 2;
      return;
    }
    envelope(out.envelope, c.envelope());
    if (c.envelope().contentKind() == ChatChunk.ContentKind.STRING) {
      text(out, c.content());
    }
    prevKind = 0;
  }

  private void envelope(BitCoder c, ChatChunk.Envelope e) {
    int k = prevKind;
    boolean same = prev != null && prev.equals(e);
    c.encode(same ? 1 : 0, sameEnvelope[k]);
    if (!same) {
      ChatChunk.Envelope p = prev;
      string(c, 0, k, p == null ? null : p.id(), e.id(), p == null);
      created(c, 1, k, p, e.created());
      string(c, 2, k, p == null ? null : p.model(), e.model(), p == null);
      bool(c, 3, k, p != null && p.hasFingerprint(), e.hasFingerprint());
      if (e.hasFingerprint()) {
        string(c, 4, k, p == null ? null : p.systemFingerprint(), e.systemFingerprint(), p == null);
      }
      bool(c, 5, k, p != null && p.hasChoice(), e.hasChoice());
      if (e.hasChoice()) {
        if (!field(c, 6, k, p != null && p.index() == e.index())) {
          number.encode(c, e.index());
        }
        string(c, 7, k, p == null ? null : p.role(), e.role(), p == null);
        int kind = e.contentKind().ordinal();
        if (!field(c, 8, k, p != null && p.contentKind() == e.contentKind())) {
          c.encode(kind >> 1, flag[16]);
          c.encode(kind & 1, flag[17]);
        }
        bool(c, 9, k, p != null && p.hasLogprobs(), e.hasLogprobs());
        string(c, 10, k, p == null ? null : p.finishReason(), e.finishReason(), p == null);
      }
      string(c, 11, k, p == null ? null : p.usage(), e.usage(), p == null);
      bool(c, 12, k, p != null && p.escapedSupplementary(), e.escapedSupplementary());
    }
    prev = e;
  }

  private boolean field(BitCoder c, int f, int k, boolean same) {
    c.encode(same ? 1 : 0, sameField[f * 4 + k]);
    return same;
  }

  private void bool(BitCoder c, int f, int k, boolean was, boolean is) {
    if (!field(c, f, k, was == is)) {
      c.encode(is ? 1 : 0, flag[f]);
    }
  }

  private void created(BitCoder c, int f, int k, ChatChunk.Envelope p, long v) {
    long was = p == null ? 0 : p.created();
    if (!field(c, f, k, p != null && was == v)) {
      c.encode(v < was ? 1 : 0, sign);
      number.encode(c, Math.abs(v - was));
    }
  }

  private void string(BitCoder c, int f, int k, String was, String is, boolean first) {
    if (field(c, f, k, !first && Objects.equals(was, is))) {
      return;
    }
    c.encode(is == null ? 1 : 0, isNull[f]);
    if (is == null) {
      return;
    }
    byte[] b = is.getBytes(StandardCharsets.UTF_8);
    length[f].encode(c, b.length);
    for (byte x : b) {
      chars[f].encode(c, x & 0xFF);
    }
  }

  /** The content's bytes to the text, and where the chunk ends to the boundary code. */
  private void text(Parts out, String content) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    out.text.writeBytes(b);
    ahead(out, content);
    out.boundaries.encode(content.isEmpty() ? 1 : 0, empty[prevKind]);
    int count = 0;
    for (int i = 0; i < content.length(); ) {
      int cp = content.codePointAt(i);
      i += Character.charCount(cp);
      int cls = charClass(cp);
      int ctx = (prevClass * 7 + cls) * 8 + Math.min(count, 7);
      out.boundaries.encode(i == content.length() ? 1 : 0, ends[ctx]);
      prevClass = cls;
      count++;
    }
  }

  private int aheadClass = 6;

  /**
   * Codes the previous piece's boundaries now that the first character of this one is known, as a
   * model that sees the text before the boundaries would.
   */
  private void ahead(Parts out, String content) {
    String piece = pending;
    int kind = pendingKind;
    pending = content;
    pendingKind = prevKind;
    if (piece == null) {
      return;
    }
    out.lookahead.encode(piece.isEmpty() ? 1 : 0, emptyAhead[kind]);
    int next = content.isEmpty() ? 7 : charClass(content.codePointAt(0));
    int count = 0;
    for (int i = 0; i < piece.length(); ) {
      int cp = piece.codePointAt(i);
      i += Character.charCount(cp);
      int cls = charClass(cp);
      int nx = i < piece.length() ? charClass(piece.codePointAt(i)) : next;
      int ctx = ((aheadClass * 7 + cls) * 8 + Math.min(count, 7)) * 8 + nx;
      out.lookahead.encode(i == piece.length() ? 1 : 0, endsAhead[ctx]);
      aheadClass = cls;
      count++;
    }
  }

  private static int charClass(int cp) {
    if (cp == '\n') {
      return 0;
    }
    if (cp == ' ') {
      return 1;
    }
    if (Character.isWhitespace(cp)) {
      return 2;
    }
    if (Character.isLetter(cp)) {
      return Character.isUpperCase(cp) ? 3 : 4;
    }
    if (Character.isDigit(cp)) {
      return 5;
    }
    return 6;
  }

  private static BitCoder.Bit[] bits(int n) {
    BitCoder.Bit[] b = new BitCoder.Bit[n];
    for (int i = 0; i < n; i++) {
      b[i] = new BitCoder.Bit();
    }
    return b;
  }

  private static BitCoder.NumberModel[] numbers(int n) {
    BitCoder.NumberModel[] b = new BitCoder.NumberModel[n];
    for (int i = 0; i < n; i++) {
      b[i] = new BitCoder.NumberModel();
    }
    return b;
  }

  private static BitCoder.ByteModel[] bytes(int n) {
    BitCoder.ByteModel[] b = new BitCoder.ByteModel[n];
    for (int i = 0; i < n; i++) {
      b[i] = new BitCoder.ByteModel();
    }
    return b;
  }
}
