package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.Accept;
import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Ping;
import dev.sluice.gateway.edge.LinkMessage.Pong;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import dev.sluice.gateway.edge.LinkMessage.RefuseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random valid link streams, encoded, with their frame boundaries. */
final class Streams {

  /** A stream: who wrote it, its messages (as decoded), its bytes, and where each frame starts. */
  record Encoded(LinkSide writer, List<LinkMessage> messages, byte[] bytes, long[] frameStarts) {

    /** Start of the frame containing byte {@code b} (0 for the magic). */
    long frameOf(long b) {
      long start = 0;
      for (long s : frameStarts) {
        if (s <= b) {
          start = s;
        }
      }
      return start;
    }

    /** Index of the frame containing byte {@code b}, -1 for the magic. */
    int indexOf(long b) {
      int i = -1;
      for (int k = 0; k < frameStarts.length; k++) {
        if (frameStarts[k] <= b) {
          i = k;
        }
      }
      return i;
    }
  }

  private Streams() {}

  /** A random valid stream; {@code maxData} bounds each DATA payload. */
  static Encoded random(Random rnd, int maxFrames, int maxData) {
    LinkSide writer = rnd.nextBoolean() ? LinkSide.EDGE : LinkSide.GATEWAY;
    List<LinkMessage> ms = new ArrayList<>();
    if (writer == LinkSide.GATEWAY && rnd.nextInt(8) == 0) {
      ms.add(new Refuse(RefuseCode.values()[rnd.nextInt(4)], text(rnd)));
      return encode(writer, ms);
    }
    ms.add(writer == LinkSide.EDGE ? hello(rnd) : accept(rnd));
    int body = rnd.nextInt(maxFrames + 1);
    long data = 0;
    for (int i = 0; i < body; i++) {
      int k = rnd.nextInt(10);
      if (k < 7) {
        byte[] b = new byte[1 + rnd.nextInt(maxData)];
        rnd.nextBytes(b);
        ms.add(new Data(b));
        data += b.length;
      } else if (k < 9) {
        ms.add(new Ping(rnd.nextLong()));
      } else {
        ms.add(new Pong(rnd.nextLong()));
      }
    }
    switch (rnd.nextInt(4)) {
      case 0 -> ms.add(new LinkError(ErrorCode.values()[rnd.nextInt(6)], text(rnd)));
      case 1 -> {
        ms.add(new End(data, count(rnd)));
        ms.add(new LinkError(ErrorCode.values()[rnd.nextInt(6)], text(rnd)));
      }
      default -> ms.add(new End(data, count(rnd)));
    }
    return encode(writer, ms);
  }

  /** A decoded byte count for END: of any varint size, 1 to 9 bytes. */
  private static long count(Random rnd) {
    return rnd.nextBoolean()
        ? rnd.nextLong() & Long.MAX_VALUE
        : rnd.nextLong() >>> (1 + rnd.nextInt(63));
  }

  static Encoded encode(LinkSide writer, List<LinkMessage> ms) {
    LinkFrameEncoder enc = new LinkFrameEncoder(writer);
    ByteBuf out = Unpooled.buffer();
    try {
      long[] starts = new long[ms.size()];
      for (int i = 0; i < ms.size(); i++) {
        starts[i] = i == 0 ? 4 : out.writerIndex();
        enc.encode(ms.get(i), out);
      }
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      return new Encoded(writer, List.copyOf(ms), bytes, starts);
    } finally {
      out.release();
    }
  }

  static LinkMessage.Hello hello(Random rnd) {
    List<Integer> versions = ascending(rnd, 1);
    List<Integer> codecs = ascending(rnd, 0);
    byte[] model = new byte[32];
    if (rnd.nextBoolean()) {
      rnd.nextBytes(model);
    }
    StringBuilder client = new StringBuilder();
    int k = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(40);
    for (int i = 0; i < k; i++) {
      client.append((char) (0x21 + rnd.nextInt(0x7E - 0x21 + 1)));
    }
    return new LinkMessage.Hello(versions, codecs, model, client.toString());
  }

  static Accept accept(Random rnd) {
    byte[] model = new byte[EdgeLink.MODEL_PREFIX];
    rnd.nextBytes(model);
    return new Accept(1 + rnd.nextInt(0xFF), rnd.nextInt(0x100), model);
  }

  private static List<Integer> ascending(Random rnd, int min) {
    int n = 1 + rnd.nextInt(EdgeLink.MAX_LIST);
    List<Integer> xs = new ArrayList<>();
    int x = min - 1;
    for (int i = 0; i < n && x < 0xFF; i++) {
      x = Math.min(0xFF, x + 1 + rnd.nextInt(rnd.nextBoolean() ? 3 : 40));
      xs.add(x);
    }
    return xs;
  }

  /** A reason: random code points (any plane), cut to the limit. */
  static String text(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(5) == 0 ? 2000 : rnd.nextInt(30);
    for (int i = 0; i < n; i++) {
      int cp;
      do {
        cp = rnd.nextInt(4) == 0 ? rnd.nextInt(0x110000) : 0x20 + rnd.nextInt(0x5F);
      } while (cp >= 0xD800 && cp <= 0xDFFF);
      sb.appendCodePoint(cp);
    }
    String s = EdgeLink.truncateUtf8(sb.toString(), EdgeLink.MAX_REASON);
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  /** Decodes {@code bytes} fed in the given pieces, then the end of the stream. */
  static List<LinkMessage> decode(LinkSide writer, byte[] bytes, int[] cuts, List<LinkMessage> got)
      throws LinkFormatException {
    LinkFrameDecoder dec = new LinkFrameDecoder(writer);
    ByteBuf acc = Unpooled.buffer();
    try {
      int from = 0;
      for (int i = 0; i <= cuts.length; i++) {
        int to = i < cuts.length ? cuts[i] : bytes.length;
        acc.writeBytes(bytes, from, to - from);
        from = to;
        dec.decode(acc, got);
        acc.discardReadBytes();
      }
      dec.endOfStream(acc);
      return got;
    } finally {
      acc.release();
    }
  }
}
