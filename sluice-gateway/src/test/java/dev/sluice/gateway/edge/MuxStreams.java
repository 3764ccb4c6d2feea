package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.MuxMessage.Data;
import dev.sluice.gateway.edge.MuxMessage.End;
import dev.sluice.gateway.edge.MuxMessage.Frame;
import dev.sluice.gateway.edge.MuxMessage.GoAway;
import dev.sluice.gateway.edge.MuxMessage.Open;
import dev.sluice.gateway.edge.MuxMessage.Ping;
import dev.sluice.gateway.edge.MuxMessage.Pong;
import dev.sluice.gateway.edge.MuxMessage.Reset;
import dev.sluice.gateway.edge.MuxMessage.ResetCode;
import dev.sluice.gateway.edge.MuxMessage.Window;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random valid version 2 link streams, encoded by the real encoder. */
final class MuxStreams {

  /** A stream: who wrote it, frame 0 and the messages after it, and its bytes. */
  record Encoded(LinkSide writer, boolean checksums, List<Object> messages, byte[] bytes) {}

  private MuxStreams() {}

  static Encoded random(Random rnd, boolean checksums, int maxFrames) {
    LinkSide writer = rnd.nextBoolean() ? LinkSide.EDGE : LinkSide.GATEWAY;
    MuxFrameEncoder e = new MuxFrameEncoder(writer);
    ByteBuf out = Unpooled.buffer();
    List<Object> ms = new ArrayList<>();
    Object zero =
        writer == LinkSide.EDGE
            ? new Handshake(java.util.List.of(2), java.util.List.of(1), new byte[32]).hello("")
            : MuxAccept.of(
                1, new byte[32], checksums, 1 + rnd.nextInt(1 << 20), rnd.nextInt(60_000));
    e.handshake(zero, out);
    e.checksums(checksums);
    ms.add(zero);
    int n = rnd.nextInt(maxFrames + 1);
    int nextId = 0;
    for (int i = 0; i < n; i++) {
      MuxMessage m = message(rnd, writer, nextId);
      if (m instanceof Open o) {
        nextId = o.id() + 1;
      }
      e.encode(m, out);
      ms.add(m);
    }
    e.encode(
        rnd.nextBoolean()
            ? new GoAway(Math.max(0, nextId - 1))
            : new MuxMessage.Error(ErrorCode.PROTOCOL, "bye"),
        out);
    ms.add(ms.size() > 0 ? ms.get(ms.size() - 1) : null);
    byte[] b = new byte[out.readableBytes()];
    out.readBytes(b);
    out.release();
    return new Encoded(writer, checksums, ms, b);
  }

  static MuxMessage message(Random rnd, LinkSide writer, int nextId) {
    int id = rnd.nextInt(5000);
    switch (rnd.nextInt(writer == LinkSide.EDGE ? 8 : 7)) {
      case 0:
        return new End(id, rnd.nextInt(1 << 20));
      case 1:
        return new Reset(id, ResetCode.values()[rnd.nextInt(4)], "why " + rnd.nextInt(99));
      case 2:
        return new Window(id, 1 + rnd.nextInt(Integer.MAX_VALUE));
      case 3:
        return new Ping(rnd.nextLong());
      case 4:
        return new Pong(rnd.nextLong());
      case 5:
        if (writer == LinkSide.GATEWAY) {
          return new Frame(bytes(rnd, 1 + rnd.nextInt(300)));
        }
        return new Data(id, bytes(rnd, 1 + rnd.nextInt(300)));
      default:
        if (writer == LinkSide.GATEWAY) {
          return new Frame(bytes(rnd, 1 + rnd.nextInt(20000)));
        }
        return new Open(
            nextId + rnd.nextInt(3), 1 + rnd.nextInt(1 << 20), "10.0.0.1:" + rnd.nextInt(65536));
    }
  }

  static byte[] bytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }
}
