package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.Accept;
import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Ping;
import dev.sluice.gateway.edge.LinkMessage.Pong;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import dev.sluice.gateway.edge.LinkMessage.RefuseCode;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The edge link protocol, version 1: what a gateway listener with {@code peer: edge} and {@code
 * sluice edge} say to each other over one TCP (or TLS) connection. The full description, with the
 * reasons behind it, is {@code docs/formats/edge-link-v1.md}; this Javadoc carries the same tables.
 *
 * <p>One link connection carries exactly one client connection (no multiplexing in version 1). The
 * edge opens the connection, and each side writes one <em>stream</em>: the 4 magic bytes, then
 * frames. All integers are big-endian; CRCs are CRC32C (Castagnoli).
 *
 * <table>
 *   <caption>Stream</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>4</td><td>magic {@code 0x534C4E4B} ("SLNK"), both directions</td></tr>
 *   <tr><td>4</td><td></td><td>frames, back to back</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Frame, 17 + n bytes</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>1</td><td>type: HELLO 1, ACCEPT 2, REFUSE 3, DATA 4, END 5, ERROR 6, PING 7,
 *       PONG 8</td></tr>
 *   <tr><td>1</td><td>8</td><td>sequence number: 0 for the first frame of the stream, then +1 per
 *       frame</td></tr>
 *   <tr><td>9</td><td>4</td><td>payload length n, 0 ..= {@value #MAX_PAYLOAD} (1 MiB), and exactly
 *       as the type requires</td></tr>
 *   <tr><td>13</td><td>n</td><td>payload</td></tr>
 *   <tr><td>13+n</td><td>4</td><td>CRC32C of bytes 0 .. 13+n-1 of the frame</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Payloads</caption>
 *   <tr><th>type</th><th>n</th><th>payload</th></tr>
 *   <tr><td>HELLO</td><td>39..354</td><td>u8 v (1..16), v x u16 versions strictly ascending from 1;
 *       u8 c (1..16), c x u16 codec ids strictly ascending; 32-byte model id (zero: none); u8 k
 *       (0..255), k bytes client address, ASCII 0x21..0x7E</td></tr>
 *   <tr><td>ACCEPT</td><td>36</td><td>u16 version, u16 codec, 32-byte model id of the
 *       gateway</td></tr>
 *   <tr><td>REFUSE</td><td>2..1026</td><td>u16 code (VERSION 1, CODEC 2, MODEL 3, NOT_ALLOWED 4),
 *       reason UTF-8 (0..1024 bytes)</td></tr>
 *   <tr><td>DATA</td><td>1..1048576</td><td>bytes of the carried connection</td></tr>
 *   <tr><td>END</td><td>16</td><td>u64 sum of this stream's DATA payload lengths; u64 bytes they
 *       decode to (both below 2^63)</td></tr>
 *   <tr><td>ERROR</td><td>2..1026</td><td>u16 code (PROTOCOL 1, CODEC 2, UPSTREAM 3, DENIED 4,
 *       INTERNAL 5, TIMEOUT 6), reason UTF-8 (0..1024 bytes)</td></tr>
 *   <tr><td>PING, PONG</td><td>8</td><td>u64 value; a PONG echoes a PING</td></tr>
 * </table>
 *
 * <p>Codecs: 0 identity (DATA carries the bytes); 1 Sluice's stream codec, one {@code
 * dev.sluice.codec.StreamEncoder} segment per downward DATA frame, cut when the gateway's HTTP
 * layer flushes and at {@code StreamEncoder.MAX_SEGMENT_INPUT} input bytes (see {@link
 * GatewayLinkHandler}). The model id is the SHA-256 of the model file both sides loaded.
 *
 * <p>Order: frame 0 of the edge's stream is HELLO or ERROR; frame 0 of the gateway's stream is
 * ACCEPT, REFUSE or ERROR. Handshake types appear nowhere else. REFUSE and ERROR are the last frame
 * of their stream; END is the last, except that one ERROR may follow it. The encoding is canonical
 * and the {@link LinkFrameDecoder} rejects anything else, naming the byte offset: a stream that
 * stops before its last frame (even at a frame boundary) is truncated, and bytes after the last
 * frame are refused.
 */
public final class EdgeLink {

  /** "SLNK". */
  public static final int MAGIC = 0x534C4E4B;

  /** The only version this code speaks. */
  public static final int VERSION = 1;

  /** Codec id of the identity codec: DATA carries the bytes themselves. */
  public static final int CODEC_IDENTITY = 0;

  /**
   * Codec id of Sluice's stream codec: each downward DATA payload is one {@code
   * dev.sluice.codec.StreamEncoder} segment, decoded in order by one {@code
   * dev.sluice.codec.StreamDecoder} with the same model (the model id of the handshake).
   */
  public static final int CODEC_STREAM = 1;

  /** Bytes before the payload: type, sequence number, length. */
  public static final int HEADER = 13;

  /** Bytes after the payload: the CRC. */
  public static final int TRAILER = 4;

  /** Largest payload of any frame. */
  public static final int MAX_PAYLOAD = 1 << 20;

  /** Largest reason of a REFUSE or ERROR, in UTF-8 bytes. */
  public static final int MAX_REASON = 1024;

  /** Length of a model id (SHA-256 of the model file). */
  public static final int MODEL_ID = 32;

  /** Most versions or codecs a HELLO may list. */
  public static final int MAX_LIST = 16;

  private EdgeLink() {}

  /** A model id meaning "no model". */
  public static byte[] noModel() {
    return new byte[MODEL_ID];
  }

  /** The reason cut to at most {@code max} UTF-8 bytes, at a character boundary. */
  public static String truncateUtf8(String reason, int max) {
    String s = reason;
    while (s.getBytes(StandardCharsets.UTF_8).length > max) {
      int cut = s.offsetByCodePoints(0, s.codePointCount(0, s.length()) - 1);
      s = s.substring(0, cut);
    }
    return s;
  }

  // ---- stream rules, shared by encoder and decoder ----

  /**
   * Null if a frame of type {@code t} may be frame {@code index} of a stream written by {@code
   * writer} after an END ({@code ended}); otherwise why not. Called only while the stream is not
   * finished (no REFUSE or ERROR yet).
   */
  static String misplaced(LinkSide writer, long index, FrameType t, boolean ended) {
    if (index == 0) {
      boolean ok =
          t == FrameType.ERROR
              || (writer == LinkSide.EDGE
                  ? t == FrameType.HELLO
                  : t == FrameType.ACCEPT || t == FrameType.REFUSE);
      return ok
          ? null
          : t
              + " as frame 0 of the "
              + writer.label()
              + "'s stream (expected "
              + (writer == LinkSide.EDGE ? "HELLO" : "ACCEPT or REFUSE")
              + " or ERROR)";
    }
    if (t.handshake()) {
      return t + " after frame 0";
    }
    if (ended && t != FrameType.ERROR) {
      return t + " after END";
    }
    return null;
  }

  /** True if a frame of this type is the last of its stream. */
  static boolean finishes(FrameType t) {
    return t == FrameType.ERROR || t == FrameType.REFUSE;
  }

  // ---- payloads ----

  /** Writes the payload of {@code m}; IllegalArgumentException if it is not canonical. */
  static void writePayload(LinkMessage m, long dataBytes, ByteBuf out) {
    if (m instanceof Hello h) {
      list(h.versions(), 1, "versions", out);
      list(h.codecs(), 0, "codecs", out);
      model(h.modelId(), out);
      String c = h.client();
      if (c.length() > 255 || !c.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7E)) {
        throw new IllegalArgumentException("client address not 0..255 printable ASCII: " + c);
      }
      out.writeByte(c.length());
      out.writeCharSequence(c, StandardCharsets.US_ASCII);
    } else if (m instanceof Accept a) {
      u16(a.version(), 1, "version", out);
      u16(a.codec(), 0, "codec", out);
      model(a.modelId(), out);
    } else if (m instanceof Refuse r) {
      out.writeShort(r.code().code());
      out.writeBytes(reason(r.reason()));
    } else if (m instanceof Data d) {
      if (d.bytes().length < 1 || d.bytes().length > MAX_PAYLOAD) {
        throw new IllegalArgumentException("DATA of " + d.bytes().length + " bytes");
      }
      out.writeBytes(d.bytes());
    } else if (m instanceof End e) {
      if (e.decodedBytes() < 0) {
        throw new IllegalArgumentException("negative decoded byte count");
      }
      out.writeLong(dataBytes);
      out.writeLong(e.decodedBytes());
    } else if (m instanceof LinkError e) {
      out.writeShort(e.code().code());
      out.writeBytes(reason(e.reason()));
    } else if (m instanceof Ping p) {
      out.writeLong(p.value());
    } else if (m instanceof Pong p) {
      out.writeLong(p.value());
    } else {
      throw new AssertionError(m);
    }
  }

  private static void list(List<Integer> xs, int min, String what, ByteBuf out) {
    if (xs.isEmpty() || xs.size() > MAX_LIST) {
      throw new IllegalArgumentException(what + ": 1.." + MAX_LIST + " entries, not " + xs.size());
    }
    out.writeByte(xs.size());
    int prev = min - 1;
    for (int x : xs) {
      if (x <= prev || x > 0xFFFF) {
        throw new IllegalArgumentException(what + " not strictly ascending u16 >= " + min);
      }
      out.writeShort(x);
      prev = x;
    }
  }

  private static void u16(int x, int min, String what, ByteBuf out) {
    if (x < min || x > 0xFFFF) {
      throw new IllegalArgumentException(what + " out of range: " + x);
    }
    out.writeShort(x);
  }

  private static void model(byte[] id, ByteBuf out) {
    if (id.length != MODEL_ID) {
      throw new IllegalArgumentException("model id of " + id.length + " bytes");
    }
    out.writeBytes(id);
  }

  private static byte[] reason(String s) {
    try {
      ByteBuffer b =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(s));
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      if (bytes.length > MAX_REASON) {
        throw new IllegalArgumentException("reason longer than " + MAX_REASON + " UTF-8 bytes");
      }
      return bytes;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("reason is not well-formed UTF-16", e);
    }
  }

  /** A malformed payload: the position in it and what was wrong. */
  static final class BadPayload extends Exception {
    private static final long serialVersionUID = 1L;
    final int at;

    BadPayload(int at, String what) {
      super(what, null, false, false);
      this.at = at;
    }
  }

  /** Null if {@code n} is a valid payload length for {@code t}; otherwise why not. */
  static String badLength(FrameType t, int n) {
    boolean ok =
        switch (t) {
          case HELLO -> n >= 39 && n <= 354;
          case ACCEPT -> n == 36;
          case REFUSE, ERROR -> n >= 2 && n <= 2 + MAX_REASON;
          case DATA -> n >= 1 && n <= MAX_PAYLOAD;
          case END -> n == 16;
          case PING, PONG -> n == 8;
        };
    return ok ? null : "payload length " + n + " is not valid for " + t;
  }

  /** Reads the payload {@code p} (all of it) of a frame of type {@code t}. */
  static LinkMessage readPayload(FrameType t, ByteBuf p) throws BadPayload {
    int start = p.readerIndex();
    int n = p.readableBytes();
    switch (t) {
      case HELLO -> {
        List<Integer> versions = readList(p, start, 1, "version");
        List<Integer> codecs = readList(p, start, 0, "codec");
        if (p.readableBytes() < MODEL_ID + 1) {
          throw new BadPayload(n, "HELLO ends inside the model id or client address");
        }
        byte[] model = new byte[MODEL_ID];
        p.readBytes(model);
        int k = p.readUnsignedByte();
        if (p.readableBytes() != k) {
          throw new BadPayload(
              p.readerIndex() - 1 - start,
              "client address length " + k + " but " + p.readableBytes() + " bytes follow");
        }
        for (int i = 0; i < k; i++) {
          int ch = p.getUnsignedByte(p.readerIndex() + i);
          if (ch < 0x21 || ch > 0x7E) {
            throw new BadPayload(p.readerIndex() + i - start, "client address byte " + ch);
          }
        }
        String client = p.readCharSequence(k, StandardCharsets.US_ASCII).toString();
        return new Hello(versions, codecs, model, client);
      }
      case ACCEPT -> {
        int version = p.readUnsignedShort();
        if (version == 0) {
          throw new BadPayload(0, "version 0");
        }
        int codec = p.readUnsignedShort();
        byte[] model = new byte[MODEL_ID];
        p.readBytes(model);
        return new Accept(version, codec, model);
      }
      case REFUSE -> {
        int code = p.readUnsignedShort();
        RefuseCode c = RefuseCode.of(code);
        if (c == null) {
          throw new BadPayload(0, "unknown REFUSE code " + code);
        }
        return new Refuse(c, utf8(p, start));
      }
      case ERROR -> {
        int code = p.readUnsignedShort();
        ErrorCode c = ErrorCode.of(code);
        if (c == null) {
          throw new BadPayload(0, "unknown ERROR code " + code);
        }
        return new LinkError(c, utf8(p, start));
      }
      case DATA -> {
        byte[] b = new byte[n];
        p.readBytes(b);
        return new Data(b);
      }
      case END -> {
        long data = p.readLong();
        long decoded = p.readLong();
        if (data < 0) {
          throw new BadPayload(0, "DATA byte count >= 2^63");
        }
        if (decoded < 0) {
          throw new BadPayload(8, "decoded byte count >= 2^63");
        }
        return new End(data, decoded);
      }
      case PING -> {
        return new Ping(p.readLong());
      }
      case PONG -> {
        return new Pong(p.readLong());
      }
    }
    throw new AssertionError(t);
  }

  private static List<Integer> readList(ByteBuf p, int start, int min, String what)
      throws BadPayload {
    int at = p.readerIndex() - start;
    if (!p.isReadable()) {
      throw new BadPayload(at, "HELLO ends before the " + what + " count");
    }
    int count = p.readUnsignedByte();
    if (count < 1 || count > MAX_LIST) {
      throw new BadPayload(at, what + " count " + count + " not in 1.." + MAX_LIST);
    }
    if (p.readableBytes() < 2 * count) {
      throw new BadPayload(at, "HELLO ends inside the " + what + " list");
    }
    List<Integer> xs = new ArrayList<>(count);
    int prev = min - 1;
    for (int i = 0; i < count; i++) {
      int pos = p.readerIndex() - start;
      int x = p.readUnsignedShort();
      if (x <= prev) {
        throw new BadPayload(
            pos, what + " " + x + (i == 0 ? " is below " + min : " not above " + prev));
      }
      xs.add(x);
      prev = x;
    }
    return xs;
  }

  private static String utf8(ByteBuf p, int start) throws BadPayload {
    int from = p.readerIndex();
    ByteBuffer b = p.nioBuffer(from, p.readableBytes());
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(b)
              .toString();
      p.skipBytes(p.readableBytes());
      return s;
    } catch (CharacterCodingException e) {
      // Find the first bad byte: the longest prefix that decodes.
      ByteBuffer all = p.nioBuffer(from, p.readableBytes());
      var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
      CharBuffer out = CharBuffer.allocate(all.remaining() + 1);
      dec.decode(all, out, true);
      int good = all.position();
      throw new BadPayload(from - start + good, "reason is not well-formed UTF-8");
    }
  }
}
