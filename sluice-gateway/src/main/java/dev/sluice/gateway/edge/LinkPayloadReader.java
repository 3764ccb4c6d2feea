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
 * Reads the payloads of edge link frames (the payload table of {@link EdgeLink}), strictly: a
 * payload that is not in its canonical form is a {@link BadPayload} naming the byte in it where it
 * went wrong. Writing them stays with {@link EdgeLink}; the frame decoders ({@link
 * LinkFrameDecoder}, {@link MuxFrameDecoder}) call this once a frame's length and CRC are checked.
 */
final class LinkPayloadReader {

  private LinkPayloadReader() {}

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
          case HELLO -> n >= 37 && n <= 322;
          case ACCEPT -> n == 2 + EdgeLink.MODEL_PREFIX;
          case REFUSE, ERROR -> n >= 2 && n <= 2 + EdgeLink.MAX_REASON;
          case DATA -> n >= 1 && n <= EdgeLink.MAX_PAYLOAD;
          case END -> n >= 2 && n <= 18;
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
        if (p.readableBytes() < EdgeLink.MODEL_ID + 1) {
          throw new BadPayload(n, "HELLO ends inside the model id or client address");
        }
        byte[] model = new byte[EdgeLink.MODEL_ID];
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
        int version = p.readUnsignedByte();
        if (version == 0) {
          throw new BadPayload(0, "version 0");
        }
        int codec = p.readUnsignedByte();
        byte[] prefix = new byte[EdgeLink.MODEL_PREFIX];
        p.readBytes(prefix);
        return new Accept(version, codec, prefix);
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
        long data = readVarint(p, start, "DATA byte count");
        long decoded = readVarint(p, start, "decoded byte count");
        if (p.isReadable()) {
          throw new BadPayload(p.readerIndex() - start, "bytes after END's two counts");
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

  /**
   * A varint below 2^63 in its shortest form, from a payload; else BadPayload at its first byte.
   */
  private static long readVarint(ByteBuf p, int start, String what) throws BadPayload {
    int at = p.readerIndex() - start;
    long v = 0;
    for (int i = 0; ; i++) {
      if (!p.isReadable()) {
        throw new BadPayload(p.readerIndex() - start, "END ends inside its " + what);
      }
      int b = p.readUnsignedByte();
      v |= (long) (b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        if (i > 0 && b == 0) {
          throw new BadPayload(
              at, what + " " + v + " not in its shortest form (" + (i + 1) + " bytes)");
        }
        return v;
      }
      if (i == 8) {
        throw new BadPayload(at, what + " >= 2^63");
      }
    }
  }

  private static List<Integer> readList(ByteBuf p, int start, int min, String what)
      throws BadPayload {
    int at = p.readerIndex() - start;
    if (!p.isReadable()) {
      throw new BadPayload(at, "HELLO ends before the " + what + " count");
    }
    int count = p.readUnsignedByte();
    if (count < 1 || count > EdgeLink.MAX_LIST) {
      throw new BadPayload(at, what + " count " + count + " not in 1.." + EdgeLink.MAX_LIST);
    }
    if (p.readableBytes() < count) {
      throw new BadPayload(at, "HELLO ends inside the " + what + " list");
    }
    List<Integer> xs = new ArrayList<>(count);
    int prev = min - 1;
    for (int i = 0; i < count; i++) {
      int pos = p.readerIndex() - start;
      int x = p.readUnsignedByte();
      if (x <= prev) {
        throw new BadPayload(
            pos, what + " " + x + (i == 0 ? " is below " + min : " not above " + prev));
      }
      xs.add(x);
      prev = x;
    }
    return xs;
  }

  /**
   * The readable bytes of {@code p} as well-formed UTF-8 (consumed), or BadPayload at the first bad
   * byte, counted from {@code p}'s reader index.
   */
  static String strictUtf8(ByteBuf p) throws BadPayload {
    return utf8(p, p.readerIndex());
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
