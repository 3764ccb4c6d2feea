package dev.sluice.gateway.edge;

import java.util.Arrays;

/**
 * What a version 2 link frame after the handshake says (see {@link MuxFormat}), without its header
 * and CRC. Byte arrays are neither copied nor compared by {@code equals}; use {@link #sameAs}.
 */
public sealed interface MuxMessage {

  MuxType type();

  /** The stream the message is about, or -1 for the link's own messages. */
  default int stream() {
    return -1;
  }

  /** True if {@code o} says the same thing (byte arrays by content). */
  default boolean sameAs(MuxMessage o) {
    return equals(o);
  }

  /** Why a stream is reset. */
  enum ResetCode {
    /** The side's end of the stream went away or failed (client, upstream, child pipeline). */
    CANCEL(1),
    /** The gateway refused the stream's egress (budget, halt, store, ledger) after it started. */
    DENIED(2),
    /** The stream was opened after GOAWAY, or the gateway cannot take it. */
    REFUSED(3),
    /** An internal failure of the sender. */
    INTERNAL(4);

    private final int code;

    ResetCode(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    static ResetCode of(int code) {
      return code >= 1 && code <= 4 ? values()[code - 1] : null;
    }
  }

  /**
   * The edge opens stream {@code id} for a new client: its initial downward window (raw bytes the
   * gateway may send on it before a WINDOW) and the client's address (evidence only).
   */
  record Open(int id, int window, String client) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.OPEN;
    }

    @Override
    public int stream() {
      return id;
    }
  }

  /** Client bytes of stream {@code id}, raw (edge to gateway). Never empty. */
  record Data(int id, byte[] bytes) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.DATA;
    }

    @Override
    public int stream() {
      return id;
    }

    @Override
    public boolean sameAs(MuxMessage o) {
      return o instanceof Data d && d.id == id && Arrays.equals(bytes, d.bytes);
    }

    @Override
    public String toString() {
      return "Data[" + id + ", " + bytes.length + " bytes]";
    }
  }

  /**
   * One payload of the link's codec ({@code dev.sluice.codec.LinkEncoder}), carrying the egress of
   * any number of streams (gateway to edge).
   */
  record Frame(byte[] payload) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.FRAME;
    }

    @Override
    public boolean sameAs(MuxMessage o) {
      return o instanceof Frame f && Arrays.equals(payload, f.payload);
    }

    @Override
    public String toString() {
      return "Frame[" + payload.length + " bytes]";
    }
  }

  /**
   * The sender's half of stream {@code id} ends cleanly; {@code bytes} is what it carried, raw
   * (edge: the DATA bytes; gateway: what the codec frames decode to for the stream).
   */
  record End(int id, long bytes) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.END;
    }

    @Override
    public int stream() {
      return id;
    }
  }

  /** Stream {@code id} is aborted both ways. */
  record Reset(int id, ResetCode code, String reason) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.RESET;
    }

    @Override
    public int stream() {
      return id;
    }
  }

  /** The receiver of stream {@code id}'s data grants {@code increment} more raw bytes. */
  record Window(int id, int increment) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.WINDOW;
    }

    @Override
    public int stream() {
      return id;
    }
  }

  record Ping(long value) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.PING;
    }
  }

  record Pong(long value) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.PONG;
    }
  }

  /**
   * The sender opens (edge) or takes (gateway) no stream above {@code lastStream} any more, and
   * closes the link once its streams are done.
   */
  record GoAway(int lastStream) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.GOAWAY;
    }
  }

  /** The link fails; the last frame of its sender. */
  record Error(LinkMessage.ErrorCode code, String reason) implements MuxMessage {
    @Override
    public MuxType type() {
      return MuxType.ERROR;
    }
  }
}
