package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.MuxMessage.Data;
import dev.sluice.gateway.edge.MuxMessage.End;
import dev.sluice.gateway.edge.MuxMessage.Error;
import dev.sluice.gateway.edge.MuxMessage.Frame;
import dev.sluice.gateway.edge.MuxMessage.GoAway;
import dev.sluice.gateway.edge.MuxMessage.Open;
import dev.sluice.gateway.edge.MuxMessage.Ping;
import dev.sluice.gateway.edge.MuxMessage.Pong;
import dev.sluice.gateway.edge.MuxMessage.Reset;
import dev.sluice.gateway.edge.MuxMessage.ResetCode;
import dev.sluice.gateway.edge.MuxMessage.Window;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Edge link version 2: one long-lived TCP (or TLS) connection per edge carrying every client
 * connection as a <em>stream</em>. The full description, with the reasons behind it, is {@code
 * docs/formats/edge-link-v2.md}; this Javadoc carries the same tables.
 *
 * <p>Each side writes the magic {@code "SLNK"}, then frame 0 in version 1's layout ({@link
 * EdgeLink}: type byte, varint length, payload, CRC32C of sequence number 0 and the frame), so that
 * versions can be negotiated: the edge's HELLO (version 1's payload; versions {@code [2]}, codecs
 * {@code [1]}, its model id, an empty client address), the gateway's ACCEPT (below), REFUSE or
 * ERROR. A version 1 peer gets REFUSE VERSION naming both versions. Every later frame is:
 *
 * <table>
 *   <caption>Frame after the handshake: h + n (+ 4) bytes</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>h = 1..4</td><td>varint {@code n << 4 | type} in its shortest form; n
 *       0 ..= {@value #MAX_PAYLOAD}; type (4 bits) below</td></tr>
 *   <tr><td>h</td><td>n</td><td>payload</td></tr>
 *   <tr><td>h+n</td><td>4, only with checksums</td><td>CRC32C of the frame's 8-byte big-endian
 *       sequence number (frame 0 is 0; not transmitted) followed by bytes 0 .. h+n</td></tr>
 * </table>
 *
 * <table>
 *   <caption>ACCEPT (frame 0 of the gateway, type 2), 13..21 bytes of payload</caption>
 *   <tr><th>size</th><th>field</th></tr>
 *   <tr><td>1</td><td>version (2)</td></tr>
 *   <tr><td>1</td><td>codec (1)</td></tr>
 *   <tr><td>8</td><td>first 8 bytes of the gateway's model id</td></tr>
 *   <tr><td>1</td><td>flags: bit 0 set = later frames of both sides carry a CRC (plain TCP), clear
 *       = none (TLS); other bits 0</td></tr>
 *   <tr><td>1..5</td><td>varint initial upward window per stream, 1 .. 2^31-1</td></tr>
 *   <tr><td>1..5</td><td>varint ping interval in ms, 0 .. 2^31-1 (0: none)</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Types and payloads after the handshake (id: stream id, varint 0 .. 2^31-1)</caption>
 *   <tr><th>code</th><th>type</th><th>from</th><th>payload</th></tr>
 *   <tr><td>1</td><td>OPEN</td><td>edge</td><td>id (above every earlier id of the link); varint
 *       initial downward window 1 .. 2^31-1; u8 k; k bytes client address, ASCII 0x21..0x7E</td></tr>
 *   <tr><td>2</td><td>DATA</td><td>edge</td><td>id; 1 or more client bytes, raw</td></tr>
 *   <tr><td>3</td><td>FRAME</td><td>gateway</td><td>1 or more bytes: one payload of the link codec
 *       ({@code dev.sluice.codec.LinkEncoder}), the egress of any number of streams</td></tr>
 *   <tr><td>4</td><td>END</td><td>both</td><td>id; varint raw bytes the sender's half carried
 *       (below 2^63)</td></tr>
 *   <tr><td>5</td><td>RESET</td><td>both</td><td>id; u16 code (CANCEL 1, DENIED 2, REFUSED 3,
 *       INTERNAL 4); reason UTF-8, 0..{@value #MAX_RESET_REASON} bytes</td></tr>
 *   <tr><td>6</td><td>WINDOW</td><td>both</td><td>id; varint increment 1 .. 2^31-1</td></tr>
 *   <tr><td>7, 8</td><td>PING, PONG</td><td>both</td><td>u64 value</td></tr>
 *   <tr><td>9</td><td>GOAWAY</td><td>both</td><td>varint last stream id the sender opens or takes
 *       (0 .. 2^31-1)</td></tr>
 *   <tr><td>10</td><td>ERROR</td><td>both</td><td>u16 code (as version 1); reason UTF-8,
 *       0..1024 bytes; the sender's last frame</td></tr>
 * </table>
 *
 * <p>A stream ends when both its halves ended (END or RESET each way; a RESET ends both). The
 * gateway opens a stream in its link codec when it reads OPEN and closes it right after the END or
 * RESET it sends; the edge opens it in its decoder when it sends OPEN and closes it when it reads
 * the gateway's END or RESET: the same points of the downward message sequence. A side's stream
 * ends cleanly only after its GOAWAY (then the connection closes) or with ERROR; anything else is
 * truncated.
 */
public final class MuxFormat {

  /** The version this code speaks. */
  public static final int VERSION = 2;

  /** Largest payload of a frame after the handshake. */
  public static final int MAX_PAYLOAD = 1 << 20;

  /** Most bytes of a frame header (a varint of at most {@code MAX_PAYLOAD << 4 | 15}). */
  public static final int MAX_HEADER = 4;

  /** Bytes of the CRC when checksums are on. */
  public static final int CRC = 4;

  /** Largest stream id and window. */
  public static final int MAX_ID = Integer.MAX_VALUE;

  /** Longest RESET reason in UTF-8 bytes. */
  public static final int MAX_RESET_REASON = 256;

  private MuxFormat() {}

  /** Bytes of the header of a frame with an {@code n}-byte payload. */
  public static int headerSize(int n) {
    return EdgeLink.varintSize(((long) n << 4) | 0xF);
  }

  /** Bytes of a whole frame with an {@code n}-byte payload. */
  public static int frameSize(int n, boolean checksums) {
    return headerSize(n) + n + (checksums ? CRC : 0);
  }

  /** Bytes of the payload of {@code m}. */
  public static int payloadSize(MuxMessage m) {
    if (m instanceof Open o) {
      return EdgeLink.varintSize(o.id())
          + EdgeLink.varintSize(o.window())
          + 1
          + o.client().length();
    } else if (m instanceof Data d) {
      return EdgeLink.varintSize(d.id()) + d.bytes().length;
    } else if (m instanceof Frame f) {
      return f.payload().length;
    } else if (m instanceof End e) {
      return EdgeLink.varintSize(e.id()) + EdgeLink.varintSize(e.bytes());
    } else if (m instanceof Reset r) {
      return EdgeLink.varintSize(r.id()) + 2 + utf8(r.reason(), MAX_RESET_REASON).length;
    } else if (m instanceof Window w) {
      return EdgeLink.varintSize(w.id()) + EdgeLink.varintSize(w.increment());
    } else if (m instanceof Ping || m instanceof Pong) {
      return 8;
    } else if (m instanceof GoAway g) {
      return EdgeLink.varintSize(g.lastStream());
    } else if (m instanceof Error e) {
      return 2 + utf8(e.reason(), EdgeLink.MAX_REASON).length;
    }
    throw new AssertionError(m);
  }

  /** Bytes of the whole frame of {@code m}. */
  public static int frameSize(MuxMessage m, boolean checksums) {
    return frameSize(payloadSize(m), checksums);
  }

  /** Writes the payload of {@code m}; IllegalArgumentException if it is not canonical. */
  static void writePayload(MuxMessage m, ByteBuf out) {
    if (m instanceof Open o) {
      id(o.id(), out);
      positive(o.window(), "window", out);
      String c = o.client();
      if (c.length() > 255 || !c.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7E)) {
        throw new IllegalArgumentException("client address not 0..255 printable ASCII: " + c);
      }
      out.writeByte(c.length());
      out.writeCharSequence(c, StandardCharsets.US_ASCII);
    } else if (m instanceof Data d) {
      if (d.bytes().length == 0) {
        throw new IllegalArgumentException("empty DATA");
      }
      id(d.id(), out);
      out.writeBytes(d.bytes());
    } else if (m instanceof Frame f) {
      if (f.payload().length == 0) {
        throw new IllegalArgumentException("empty FRAME");
      }
      out.writeBytes(f.payload());
    } else if (m instanceof End e) {
      id(e.id(), out);
      if (e.bytes() < 0) {
        throw new IllegalArgumentException("negative END count");
      }
      EdgeLink.writeVarint(out, e.bytes());
    } else if (m instanceof Reset r) {
      id(r.id(), out);
      out.writeShort(r.code().code());
      out.writeBytes(utf8(r.reason(), MAX_RESET_REASON));
    } else if (m instanceof Window w) {
      id(w.id(), out);
      positive(w.increment(), "window increment", out);
    } else if (m instanceof Ping p) {
      out.writeLong(p.value());
    } else if (m instanceof Pong p) {
      out.writeLong(p.value());
    } else if (m instanceof GoAway g) {
      id(g.lastStream(), out);
    } else if (m instanceof Error e) {
      out.writeShort(e.code().code());
      out.writeBytes(utf8(e.reason(), EdgeLink.MAX_REASON));
    } else {
      throw new AssertionError(m);
    }
  }

  private static void id(int id, ByteBuf out) {
    if (id < 0) {
      throw new IllegalArgumentException("negative stream id " + id);
    }
    EdgeLink.writeVarint(out, id);
  }

  private static void positive(int v, String what, ByteBuf out) {
    if (v < 1) {
      throw new IllegalArgumentException(what + " must be >= 1: " + v);
    }
    EdgeLink.writeVarint(out, v);
  }

  /** The reason as UTF-8, cut at a character boundary to at most {@code max} bytes. */
  static byte[] utf8(String reason, int max) {
    return EdgeLink.truncateUtf8(reason, max).getBytes(StandardCharsets.UTF_8);
  }

  /** The payload of ACCEPT version 2. */
  static int acceptSize(MuxAccept a) {
    return 11 + EdgeLink.varintSize(a.window()) + EdgeLink.varintSize(a.pingMillis());
  }

  static void writeAccept(MuxAccept a, ByteBuf out) {
    out.writeByte(a.version());
    out.writeByte(a.codec());
    out.writeBytes(a.modelPrefix());
    out.writeByte(a.checksums() ? 1 : 0);
    EdgeLink.writeVarint(out, a.window());
    EdgeLink.writeVarint(out, a.pingMillis());
  }

  /** A payload that is not canonical: where in it and what. */
  static final class Bad extends Exception {
    private static final long serialVersionUID = 1L;
    final int at;

    Bad(int at, String what) {
      super(what, null, false, false);
      this.at = at;
    }
  }

  /** Reads an ACCEPT version 2 payload (all of {@code p}). */
  static MuxAccept readAccept(ByteBuf p) throws Bad {
    int start = p.readerIndex();
    if (p.readableBytes() < 13) {
      throw new Bad(p.readableBytes(), "ACCEPT of " + p.readableBytes() + " bytes (at least 13)");
    }
    int version = p.readUnsignedByte();
    if (version != VERSION) {
      throw new Bad(0, "ACCEPT of version " + version + " in a version " + VERSION + " stream");
    }
    int codec = p.readUnsignedByte();
    byte[] prefix = new byte[EdgeLink.MODEL_PREFIX];
    p.readBytes(prefix);
    int flags = p.readUnsignedByte();
    if ((flags & ~1) != 0) {
      throw new Bad(10, "unknown ACCEPT flags " + flags);
    }
    int window = (int) varint(p, start, MAX_ID, "initial window");
    if (window < 1) {
      throw new Bad(11, "initial window 0");
    }
    int ping = (int) varint(p, start, MAX_ID, "ping interval");
    if (p.isReadable()) {
      throw new Bad(p.readerIndex() - start, "bytes after ACCEPT's settings");
    }
    return new MuxAccept(version, codec, prefix, (flags & 1) != 0, window, ping);
  }

  /** Reads the payload {@code p} (all of it) of a frame of type {@code t}. */
  static MuxMessage readPayload(MuxType t, ByteBuf p) throws Bad {
    int start = p.readerIndex();
    switch (t) {
      case OPEN -> {
        int id = (int) varint(p, start, MAX_ID, "stream id");
        int window = (int) varint(p, start, MAX_ID, "initial window");
        if (window < 1) {
          throw new Bad(p.readerIndex() - 1 - start, "initial window 0");
        }
        if (!p.isReadable()) {
          throw new Bad(p.readerIndex() - start, "OPEN ends before the client address");
        }
        int k = p.readUnsignedByte();
        if (p.readableBytes() != k) {
          throw new Bad(
              p.readerIndex() - 1 - start,
              "client address length " + k + " but " + p.readableBytes() + " bytes follow");
        }
        for (int i = 0; i < k; i++) {
          int ch = p.getUnsignedByte(p.readerIndex() + i);
          if (ch < 0x21 || ch > 0x7E) {
            throw new Bad(p.readerIndex() + i - start, "client address byte " + ch);
          }
        }
        return new Open(id, window, p.readCharSequence(k, StandardCharsets.US_ASCII).toString());
      }
      case DATA -> {
        int id = (int) varint(p, start, MAX_ID, "stream id");
        if (!p.isReadable()) {
          throw new Bad(p.readerIndex() - start, "DATA without bytes");
        }
        byte[] b = new byte[p.readableBytes()];
        p.readBytes(b);
        return new Data(id, b);
      }
      case FRAME -> {
        if (!p.isReadable()) {
          throw new Bad(0, "empty FRAME");
        }
        byte[] b = new byte[p.readableBytes()];
        p.readBytes(b);
        return new Frame(b);
      }
      case END -> {
        int id = (int) varint(p, start, MAX_ID, "stream id");
        long n = varint(p, start, Long.MAX_VALUE, "byte count");
        rest(p, start, "END");
        return new End(id, n);
      }
      case RESET -> {
        int id = (int) varint(p, start, MAX_ID, "stream id");
        if (p.readableBytes() < 2) {
          throw new Bad(p.readerIndex() - start, "RESET ends inside its code");
        }
        int code = p.readUnsignedShort();
        ResetCode c = ResetCode.of(code);
        if (c == null) {
          throw new Bad(p.readerIndex() - 2 - start, "unknown RESET code " + code);
        }
        if (p.readableBytes() > MAX_RESET_REASON) {
          throw new Bad(p.readerIndex() - start, "RESET reason longer than " + MAX_RESET_REASON);
        }
        return new Reset(id, c, text(p, start));
      }
      case WINDOW -> {
        int id = (int) varint(p, start, MAX_ID, "stream id");
        int inc = (int) varint(p, start, MAX_ID, "window increment");
        if (inc < 1) {
          throw new Bad(p.readerIndex() - 1 - start, "window increment 0");
        }
        rest(p, start, "WINDOW");
        return new Window(id, inc);
      }
      case PING, PONG -> {
        if (p.readableBytes() != 8) {
          throw new Bad(0, t + " of " + p.readableBytes() + " bytes, not 8");
        }
        long v = p.readLong();
        return t == MuxType.PING ? new Ping(v) : new Pong(v);
      }
      case GOAWAY -> {
        int id = (int) varint(p, start, MAX_ID, "last stream id");
        rest(p, start, "GOAWAY");
        return new GoAway(id);
      }
      case ERROR -> {
        if (p.readableBytes() < 2) {
          throw new Bad(0, "ERROR ends inside its code");
        }
        int code = p.readUnsignedShort();
        LinkMessage.ErrorCode c = LinkMessage.ErrorCode.of(code);
        if (c == null) {
          throw new Bad(0, "unknown ERROR code " + code);
        }
        if (p.readableBytes() > EdgeLink.MAX_REASON) {
          throw new Bad(2, "ERROR reason longer than " + EdgeLink.MAX_REASON);
        }
        return new Error(c, text(p, start));
      }
    }
    throw new AssertionError(t);
  }

  private static void rest(ByteBuf p, int start, String what) throws Bad {
    if (p.isReadable()) {
      throw new Bad(p.readerIndex() - start, "bytes after " + what + "'s fields");
    }
  }

  /** A varint in its shortest form, at most {@code max}; else Bad at its first byte. */
  static long varint(ByteBuf p, int start, long max, String what) throws Bad {
    int at = p.readerIndex() - start;
    long v = 0;
    for (int i = 0; ; i++) {
      if (!p.isReadable()) {
        throw new Bad(p.readerIndex() - start, "payload ends inside its " + what);
      }
      int b = p.readUnsignedByte();
      v |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (i > 0 && b == 0) {
          throw new Bad(at, what + " " + v + " not in its shortest form");
        }
        if (v > max || v < 0) {
          throw new Bad(at, what + " " + v + " above " + max);
        }
        return v;
      }
      if (i == 8) {
        throw new Bad(at, what + " >= 2^63");
      }
    }
  }

  private static String text(ByteBuf p, int start) throws Bad {
    try {
      return LinkPayloadReader.strictUtf8(p);
    } catch (LinkPayloadReader.BadPayload e) {
      throw new Bad(p.readerIndex() - start + e.at, e.getMessage());
    }
  }
}
