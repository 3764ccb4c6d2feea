package dev.sluice.gateway.edge;

/** Frame types of edge link version 1 and their one-byte codes. */
public enum FrameType {
  HELLO(1),
  ACCEPT(2),
  REFUSE(3),
  DATA(4),
  END(5),
  ERROR(6),
  PING(7),
  PONG(8);

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  /** The type byte on the wire. */
  public int code() {
    return code;
  }

  /** The type with this code, or null if there is none. */
  public static FrameType of(int code) {
    return code >= 1 && code <= 8 ? values()[code - 1] : null;
  }

  /** True for the types that are allowed only as frame 0 (the handshake). */
  boolean handshake() {
    return this == HELLO || this == ACCEPT || this == REFUSE;
  }
}
