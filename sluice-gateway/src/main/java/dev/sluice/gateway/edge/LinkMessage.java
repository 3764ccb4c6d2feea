package dev.sluice.gateway.edge;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What a link frame says, without its framing (length and CRC, and the sequence number the CRC
 * covers), which the {@link LinkFrameEncoder} adds and the {@link LinkFrameDecoder} checks. See
 * {@link EdgeLink} for the payload encodings. Byte arrays are neither copied nor compared by {@code
 * equals}; use {@link #sameAs}.
 */
public sealed interface LinkMessage {

  /** The frame type that carries this message. */
  FrameType type();

  /** True if {@code other} says the same thing (byte arrays compared by content). */
  default boolean sameAs(LinkMessage other) {
    return this.equals(other);
  }

  /** Why a gateway refuses a HELLO. */
  enum RefuseCode {
    /** No protocol version in common. */
    VERSION(1),
    /** No codec in common. */
    CODEC(2),
    /** The edge's model id is not the gateway's. */
    MODEL(3),
    /** This edge may not use this listener. */
    NOT_ALLOWED(4);

    private final int code;

    RefuseCode(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    static RefuseCode of(int code) {
      return code >= 1 && code <= 4 ? values()[code - 1] : null;
    }
  }

  /** Why a side closes its stream with an ERROR frame. */
  enum ErrorCode {
    /** The peer's stream was rejected (framing, CRC, sequence, handshake). */
    PROTOCOL(1),
    /** The peer's DATA did not decode with the agreed codec, or END's decoded count differs. */
    CODEC(2),
    /** The upstream (gateway side) or the client (edge side) failed or went away. */
    UPSTREAM(3),
    /** The gateway denied or cut the connection (budget, policy). */
    DENIED(4),
    /** An internal failure of the sender. */
    INTERNAL(5),
    /** The peer was silent for too long. */
    TIMEOUT(6);

    private final int code;

    ErrorCode(int code) {
      this.code = code;
    }

    public int code() {
      return code;
    }

    static ErrorCode of(int code) {
      return code >= 1 && code <= 6 ? values()[code - 1] : null;
    }
  }

  /**
   * Frame 0 from the edge: the protocol versions it speaks and the codecs it can decode (both
   * strictly ascending), the id of its codec model (32 bytes, all zero for none) and the address of
   * the client it carries (printable ASCII, possibly empty; for evidence only, never trusted).
   */
  record Hello(List<Integer> versions, List<Integer> codecs, byte[] modelId, String client)
      implements LinkMessage {
    public Hello {
      versions = List.copyOf(versions);
      codecs = List.copyOf(codecs);
    }

    @Override
    public FrameType type() {
      return FrameType.HELLO;
    }

    @Override
    public boolean sameAs(LinkMessage o) {
      return o instanceof Hello h
          && versions.equals(h.versions)
          && codecs.equals(h.codecs)
          && Arrays.equals(modelId, h.modelId)
          && client.equals(h.client);
    }

    @Override
    public String toString() {
      return "Hello[versions="
          + versions
          + ", codecs="
          + codecs
          + ", model="
          + HexFormat.of().formatHex(modelId)
          + ", client="
          + client
          + "]";
    }
  }

  /**
   * Frame 0 from the gateway when it takes the link: the version and codec, and the first {@link
   * EdgeLink#MODEL_PREFIX} bytes of its model id (the edge's confirmation; HELLO carried the whole
   * id and the gateway refuses a mismatch).
   */
  record Accept(int version, int codec, byte[] modelPrefix) implements LinkMessage {

    /** The ACCEPT of a gateway with this (whole, 32-byte) model id. */
    public static Accept of(int version, int codec, byte[] modelId) {
      return new Accept(version, codec, EdgeLink.modelPrefix(modelId));
    }

    @Override
    public FrameType type() {
      return FrameType.ACCEPT;
    }

    @Override
    public boolean sameAs(LinkMessage o) {
      return o instanceof Accept a
          && version == a.version
          && codec == a.codec
          && Arrays.equals(modelPrefix, a.modelPrefix);
    }

    @Override
    public String toString() {
      return "Accept[version="
          + version
          + ", codec="
          + codec
          + ", model="
          + HexFormat.of().formatHex(modelPrefix)
          + "…]";
    }
  }

  /** Frame 0 from the gateway when it refuses the link; its last frame. */
  record Refuse(RefuseCode code, String reason) implements LinkMessage {
    @Override
    public FrameType type() {
      return FrameType.REFUSE;
    }
  }

  /** Bytes of the carried connection (raw upstream; codec output downstream). Never empty. */
  record Data(byte[] bytes) implements LinkMessage {
    @Override
    public FrameType type() {
      return FrameType.DATA;
    }

    @Override
    public boolean sameAs(LinkMessage o) {
      return o instanceof Data d && Arrays.equals(bytes, d.bytes);
    }

    @Override
    public String toString() {
      return "Data[" + bytes.length + " bytes]";
    }
  }

  /**
   * Clean end of a stream: the sum of the DATA payload lengths of this stream ({@link #UNCOUNTED}
   * when sending: the encoder fills it in) and the number of bytes those DATA decode to with the
   * agreed codec (checked by the codec layer, not by the framing).
   */
  record End(long dataBytes, long decodedBytes) implements LinkMessage {
    /** For {@code dataBytes} when sending: let the encoder write its count. */
    public static final long UNCOUNTED = -1;

    @Override
    public FrameType type() {
      return FrameType.END;
    }
  }

  /** Error end of a stream: a code and a UTF-8 reason of at most 1024 bytes. */
  record LinkError(ErrorCode code, String reason) implements LinkMessage {
    @Override
    public FrameType type() {
      return FrameType.ERROR;
    }
  }

  /** Keep-alive; the receiver answers with a PONG carrying the same value. */
  record Ping(long value) implements LinkMessage {
    @Override
    public FrameType type() {
      return FrameType.PING;
    }
  }

  /** Answer to a PING. */
  record Pong(long value) implements LinkMessage {
    @Override
    public FrameType type() {
      return FrameType.PONG;
    }
  }
}
