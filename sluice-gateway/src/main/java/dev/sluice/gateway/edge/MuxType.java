package dev.sluice.gateway.edge;

/**
 * Frame types of edge link version 2 after the handshake (see {@link MuxFormat}), and their 4-bit
 * codes. The handshake frame (frame 0 of each side) keeps version 1's layout and types ({@link
 * FrameType}).
 */
public enum MuxType {
  OPEN(1),
  DATA(2),
  FRAME(3),
  END(4),
  RESET(5),
  WINDOW(6),
  PING(7),
  PONG(8),
  GOAWAY(9),
  ERROR(10);

  private final int code;

  MuxType(int code) {
    this.code = code;
  }

  /** The type's 4 bits in the frame header. */
  public int code() {
    return code;
  }

  /** The type with this code, or null. */
  public static MuxType of(int code) {
    return code >= 1 && code <= 10 ? values()[code - 1] : null;
  }

  /** Null if {@code writer} may send this type; otherwise why not. */
  String wrongSide(LinkSide writer) {
    return switch (this) {
      case OPEN, DATA -> writer == LinkSide.EDGE ? null : this + " from the gateway";
      case FRAME -> writer == LinkSide.GATEWAY ? null : "FRAME from the edge";
      default -> null;
    };
  }
}
