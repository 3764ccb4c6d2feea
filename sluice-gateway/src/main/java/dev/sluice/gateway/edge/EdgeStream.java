package dev.sluice.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;

/**
 * The edge's state of one stream: the client's channel, the upward credit the gateway granted and
 * the client's bytes waiting for it, the decoded bytes written to the client and not yet granted
 * back to the gateway, and how far each half is. Used on the link's event loop by {@link EdgeMux}.
 */
final class EdgeStream {

  final int id;
  final Channel client;
  final String address;

  /** Client bytes the gateway lets the edge send now. */
  long credit;

  final ArrayDeque<ByteBuf> held = new ArrayDeque<>();

  /** Client bytes sent up (END's count). */
  long upBytes;

  /** Decoded bytes the client's socket took, not yet granted back. */
  long drained;

  boolean upEnded;
  boolean downEnded;

  /** Decoded bytes were written to the client since the last flush. */
  boolean dirty;

  EdgeStream(int id, Channel client, String address, long credit) {
    this.id = id;
    this.client = client;
    this.address = address;
    this.credit = credit;
  }

  void releaseHeld() {
    ByteBuf b;
    while ((b = held.poll()) != null) {
      b.release();
    }
  }
}
