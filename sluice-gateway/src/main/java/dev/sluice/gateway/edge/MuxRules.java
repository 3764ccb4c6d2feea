package dev.sluice.gateway.edge;

/**
 * The order rules of a version 2 link stream after its frame 0, shared by {@link MuxFrameEncoder}
 * (which refuses to write what breaks them) and {@link MuxFrameDecoder} (which rejects it): each
 * type only from its side, OPEN ids strictly ascending and none after the edge's GOAWAY, at most
 * one GOAWAY, nothing after ERROR. Not thread-safe.
 */
final class MuxRules {

  private final LinkSide writer;
  private long lastOpen = -1;
  private boolean goneAway;
  private boolean finished;

  MuxRules(LinkSide writer) {
    this.writer = writer;
  }

  /** Null if {@code m} may come next; otherwise why not. Does not record it. */
  String check(MuxMessage m) {
    MuxType t = m.type();
    if (finished) {
      return t + " after ERROR";
    }
    String side = t.wrongSide(writer);
    if (side != null) {
      return side;
    }
    if (m instanceof MuxMessage.Open o) {
      if (goneAway) {
        return "OPEN after GOAWAY";
      }
      if (o.id() <= lastOpen) {
        return "OPEN of stream " + o.id() + ", not above the last opened " + lastOpen;
      }
    }
    if (t == MuxType.GOAWAY && goneAway) {
      return "a second GOAWAY";
    }
    return null;
  }

  /** Records {@code m} as written or read. */
  void record(MuxMessage m) {
    if (m instanceof MuxMessage.Open o) {
      lastOpen = o.id();
    } else if (m.type() == MuxType.GOAWAY) {
      goneAway = true;
    } else if (m.type() == MuxType.ERROR) {
      finished = true;
    }
  }

  /** True once GOAWAY was written or read: the stream may end cleanly at a frame boundary. */
  boolean goneAway() {
    return goneAway;
  }

  /** True once ERROR was written or read. */
  boolean finished() {
    return finished;
  }

  /** The highest stream id opened so far, -1 if none. */
  long lastOpen() {
    return lastOpen;
  }
}
