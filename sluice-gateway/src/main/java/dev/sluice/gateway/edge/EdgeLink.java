package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.Accept;
import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Ping;
import dev.sluice.gateway.edge.LinkMessage.Pong;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The edge link protocol, version 1: what a gateway listener with {@code peer: edge} and {@code
 * sluice edge} say to each other over one TCP (or TLS) connection. The full description, with the
 * reasons behind it, is {@code docs/formats/edge-link-v1.md}; this Javadoc carries the same tables.
 *
 * <p>One link connection carries exactly one client connection (no multiplexing in version 1). The
 * edge opens the connection, and each side writes one <em>stream</em>: the 4 magic bytes, then
 * frames. Fixed-size integers are big-endian; a <em>varint</em> is unsigned LEB128 (7 bits per
 * byte, least significant group first, high bit set on every byte but the last) in its shortest
 * form. CRCs are CRC32C (Castagnoli).
 *
 * <table>
 *   <caption>Stream</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>4</td><td>magic {@code 0x534C4E4B} ("SLNK"), both directions</td></tr>
 *   <tr><td>4</td><td></td><td>frames, back to back</td></tr>
 * </table>
 *
 * <table>
 *   <caption>Frame, n + 6 (n &lt; 128), n + 7 (n &lt; 16384) or n + 8 bytes</caption>
 *   <tr><th>offset</th><th>size</th><th>field</th></tr>
 *   <tr><td>0</td><td>1</td><td>type: HELLO 1, ACCEPT 2, REFUSE 3, DATA 4, END 5, ERROR 6, PING 7,
 *       PONG 8</td></tr>
 *   <tr><td>1</td><td>k = 1..3</td><td>payload length n as a varint in its shortest form, 0 ..=
 *       {@value #MAX_PAYLOAD} (1 MiB), and as the type requires</td></tr>
 *   <tr><td>1+k</td><td>n</td><td>payload</td></tr>
 *   <tr><td>1+k+n</td><td>4</td><td>CRC32C of the frame's 8-byte big-endian sequence number (0 for
 *       the first frame of the stream, then +1 per frame; not transmitted) followed by bytes 0 ..
 *       k+n of the frame</td></tr>
 * </table>
 *
 * <p>The sequence number is in the CRC and not on the wire: a missing, repeated or reordered frame
 * is checked as if it had the number of the frame that should be there, and fails its CRC (always
 * while the numbers are below 2^32, as the difference is then a burst of at most 32 bits), at the
 * cost of 0 bytes per frame instead of 8.
 *
 * <table>
 *   <caption>Payloads</caption>
 *   <tr><th>type</th><th>n</th><th>payload</th></tr>
 *   <tr><td>HELLO</td><td>37..322</td><td>u8 v (1..16), v x u8 versions strictly ascending from 1;
 *       u8 c (1..16), c x u8 codec ids strictly ascending; 32-byte model id (zero: none); u8 k
 *       (0..255), k bytes client address, ASCII 0x21..0x7E</td></tr>
 *   <tr><td>ACCEPT</td><td>10</td><td>u8 version (&ge; 1), u8 codec, the first 8 bytes of the
 *       gateway's model id</td></tr>
 *   <tr><td>REFUSE</td><td>2..1026</td><td>u16 code (VERSION 1, CODEC 2, MODEL 3, NOT_ALLOWED 4),
 *       reason UTF-8 (0..1024 bytes)</td></tr>
 *   <tr><td>DATA</td><td>1..1048576</td><td>bytes of the carried connection</td></tr>
 *   <tr><td>END</td><td>2..18</td><td>varint sum of this stream's DATA payload lengths; varint bytes
 *       they decode to (both below 2^63, shortest form)</td></tr>
 *   <tr><td>ERROR</td><td>2..1026</td><td>u16 code (PROTOCOL 1, CODEC 2, UPSTREAM 3, DENIED 4,
 *       INTERNAL 5, TIMEOUT 6), reason UTF-8 (0..1024 bytes)</td></tr>
 *   <tr><td>PING, PONG</td><td>8</td><td>u64 value; a PONG echoes a PING</td></tr>
 * </table>
 *
 * <p>Codecs: 0 identity (DATA carries the bytes); 1 Sluice's stream codec, one {@code
 * dev.sluice.codec.StreamEncoder} segment per downward DATA frame, cut when the gateway's HTTP
 * layer flushes and at {@code StreamEncoder.MAX_SEGMENT_INPUT} input bytes (see {@link
 * GatewayLinkHandler}). The model id is the SHA-256 of the model file both sides loaded; HELLO
 * carries all of it (the gateway refuses a mismatch), ACCEPT its first 8 bytes (the edge's
 * confirmation).
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

  /** Bytes after the payload: the CRC. */
  public static final int TRAILER = 4;

  /** Largest payload of any frame. */
  public static final int MAX_PAYLOAD = 1 << 20;

  /** Most bytes of the payload length field (a varint of at most {@link #MAX_PAYLOAD}). */
  public static final int MAX_LENGTH_BYTES = 3;

  /** Largest frame: type, 3 length bytes, 1 MiB payload, CRC. */
  public static final int MAX_FRAME = 1 + MAX_LENGTH_BYTES + MAX_PAYLOAD + TRAILER;

  /** Largest reason of a REFUSE or ERROR, in UTF-8 bytes. */
  public static final int MAX_REASON = 1024;

  /** Length of a model id (SHA-256 of the model file). */
  public static final int MODEL_ID = 32;

  /** Bytes of the model id that ACCEPT repeats (its first ones). */
  public static final int MODEL_PREFIX = 8;

  /** Most versions or codecs a HELLO may list. */
  public static final int MAX_LIST = 16;

  private EdgeLink() {}

  /** A model id meaning "no model". */
  public static byte[] noModel() {
    return new byte[MODEL_ID];
  }

  /** The first {@link #MODEL_PREFIX} bytes of a model id: what ACCEPT carries. */
  public static byte[] modelPrefix(byte[] modelId) {
    if (modelId.length < MODEL_PREFIX) {
      throw new IllegalArgumentException("model id of " + modelId.length + " bytes");
    }
    return Arrays.copyOf(modelId, MODEL_PREFIX);
  }

  /** Bytes of {@code v} (&ge; 0) as a varint in its shortest form: 1..9. */
  public static int varintSize(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative varint " + v);
    }
    return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
  }

  /** Bytes of the header of a frame with an {@code n}-byte payload: type and length. */
  public static int headerSize(int n) {
    return 1 + varintSize(n);
  }

  /** Bytes of a whole frame with an {@code n}-byte payload: 6 + n, 7 + n or 8 + n. */
  public static int frameSize(int n) {
    return headerSize(n) + n + TRAILER;
  }

  /** Writes {@code v} (&ge; 0) as a varint in its shortest form. */
  static void writeVarint(ByteBuf out, long v) {
    if (v < 0) {
      throw new IllegalArgumentException("negative varint " + v);
    }
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) (v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.writeByte((int) v);
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

  /**
   * Bytes of the payload of {@code m} (an END with its real DATA count, not {@link End#UNCOUNTED});
   * IllegalArgumentException if the payload cannot be written.
   */
  public static int payloadSize(LinkMessage m) {
    if (m instanceof Hello h) {
      return 1 + h.versions().size() + 1 + h.codecs().size() + MODEL_ID + 1 + h.client().length();
    } else if (m instanceof Accept) {
      return 2 + MODEL_PREFIX;
    } else if (m instanceof Refuse r) {
      return 2 + reason(r.reason()).length;
    } else if (m instanceof Data d) {
      return d.bytes().length;
    } else if (m instanceof End e) {
      return varintSize(e.dataBytes()) + varintSize(e.decodedBytes());
    } else if (m instanceof LinkError e) {
      return 2 + reason(e.reason()).length;
    } else if (m instanceof Ping || m instanceof Pong) {
      return 8;
    }
    throw new AssertionError(m);
  }

  /**
   * Writes the payload of {@code m} (an END with its real DATA count); IllegalArgumentException if
   * it is not canonical.
   */
  static void writePayload(LinkMessage m, ByteBuf out) {
    if (m instanceof Hello h) {
      list(h.versions(), 1, "versions", out);
      list(h.codecs(), 0, "codecs", out);
      model(h.modelId(), MODEL_ID, out);
      String c = h.client();
      if (c.length() > 255 || !c.chars().allMatch(ch -> ch >= 0x21 && ch <= 0x7E)) {
        throw new IllegalArgumentException("client address not 0..255 printable ASCII: " + c);
      }
      out.writeByte(c.length());
      out.writeCharSequence(c, StandardCharsets.US_ASCII);
    } else if (m instanceof Accept a) {
      u8(a.version(), 1, "version", out);
      u8(a.codec(), 0, "codec", out);
      model(a.modelPrefix(), MODEL_PREFIX, out);
    } else if (m instanceof Refuse r) {
      out.writeShort(r.code().code());
      out.writeBytes(reason(r.reason()));
    } else if (m instanceof Data d) {
      if (d.bytes().length < 1 || d.bytes().length > MAX_PAYLOAD) {
        throw new IllegalArgumentException("DATA of " + d.bytes().length + " bytes");
      }
      out.writeBytes(d.bytes());
    } else if (m instanceof End e) {
      if (e.dataBytes() < 0 || e.decodedBytes() < 0) {
        throw new IllegalArgumentException("negative END count: " + e);
      }
      writeVarint(out, e.dataBytes());
      writeVarint(out, e.decodedBytes());
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
      if (x <= prev || x > 0xFF) {
        throw new IllegalArgumentException(what + " not strictly ascending u8 >= " + min);
      }
      out.writeByte(x);
      prev = x;
    }
  }

  private static void u8(int x, int min, String what, ByteBuf out) {
    if (x < min || x > 0xFF) {
      throw new IllegalArgumentException(what + " out of range: " + x);
    }
    out.writeByte(x);
  }

  private static void model(byte[] id, int length, ByteBuf out) {
    if (id.length != length) {
      throw new IllegalArgumentException("model id of " + id.length + " bytes, not " + length);
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
}
