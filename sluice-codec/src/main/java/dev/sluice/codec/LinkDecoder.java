package dev.sluice.codec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The edge's codec for one multiplexed edge link: restores what a {@link LinkEncoder} with the same
 * model coded ({@link LinkFrame} has the payload layout). Streams are opened and closed at the same
 * points of the frame sequence as the encoder's (the link's control messages say when); {@link
 * #decode} hands each stream's bytes to a {@link Sink}, stream by stream, once the whole payload
 * decoded. A payload it cannot accept throws {@link CodecFormatException} naming the offset; the
 * decoder is unusable from then on, for every stream (their model states may no longer be the
 * encoder's). Not thread-safe.
 */
public final class LinkDecoder {

  /** Receives decoded bytes; {@code b[off, off + len)} is valid only during the call. */
  @FunctionalInterface
  public interface Sink {
    void data(int stream, byte[] b, int off, int len);
  }

  private final CodecModel model;
  private final Map<Integer, Stream> streams = new HashMap<>();
  private final ArithmeticDecoder arith = new ArithmeticDecoder();
  private final ArithmeticEncoder replay = new ArithmeticEncoder(null);
  private final SectionPlan plan = new SectionPlan();
  private final LinkFrame.ReaderState state = new LinkFrame.ReaderState();
  private boolean failed;

  private static final class Stream {
    final int id;
    StreamCodec codec;
    boolean active;
    char presence;
    long decoded;
    final ByteBuf out = new ByteBuf(64);

    Stream(int id) {
      this.id = id;
    }
  }

  public LinkDecoder(CodecModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  public void open(int id) {
    if (id < 0) {
      throw new IllegalArgumentException("stream id must be >= 0: " + id);
    }
    if (streams.putIfAbsent(id, new Stream(id)) != null) {
      throw new IllegalStateException("stream " + id + " is already open");
    }
  }

  public boolean isOpen(int id) {
    return streams.containsKey(id);
  }

  /**
   * Closes stream {@code id}.
   *
   * @return the bytes decoded for it in all (to compare with the encoder's count)
   */
  public long close(int id) {
    Stream s = streams.remove(id);
    if (s == null) {
      throw new IllegalStateException("stream " + id + " is not open");
    }
    return s.decoded;
  }

  /** Bytes decoded so far for stream {@code id}. */
  public long decodedBytes(int id) {
    Stream s = streams.get(id);
    if (s == null) {
      throw new IllegalStateException("stream " + id + " is not open");
    }
    return s.decoded;
  }

  /**
   * Decodes one frame payload. Nothing is handed to the sink before the whole payload decoded, so a
   * rejected payload delivers nothing.
   */
  public void decode(byte[] payload, int off, int len, Sink sink) throws CodecFormatException {
    Objects.checkFromIndexSize(off, len, payload.length);
    if (failed) {
      throw new CodecFormatException(0, "the link's decoder already rejected an earlier frame");
    }
    failed = true;
    int end = off + len;
    if (len < 1) {
      throw new CodecFormatException(0, "an empty frame");
    }
    int flags = payload[off] & 0xFF;
    if ((flags & ~LinkFrame.AREA) != 0) {
      throw new CodecFormatException(0, "frame flags " + flags);
    }
    int pos = off + 1;
    int areaLen = 0;
    if ((flags & LinkFrame.AREA) != 0) {
      long v = 0;
      int shift = 0;
      while (true) {
        if (pos >= end || shift > 28) {
          throw new CodecFormatException(pos - off, "a bad area length");
        }
        int x = payload[pos++] & 0xFF;
        v |= (long) (x & 0x7F) << shift;
        shift += 7;
        if ((x & 0x80) == 0) {
          break;
        }
      }
      if (v < 1 || v > end - pos) {
        throw new CodecFormatException(1, "an area of " + v + " bytes in a frame of " + len);
      }
      areaLen = (int) v;
    }
    StreamCodec.Area area = new StreamCodec.Area(payload, pos, pos + areaLen);
    int codeAt = pos + areaLen;
    arith.start(payload, codeAt, end - codeAt);
    try {
      List<Stream> order = sections();
      for (Stream s : order) {
        s.out.n = 0;
        if (arith.code(0, LinkFrame.P_RARE) != 0) {
          s.codec = null;
        }
        if (s.codec == null) {
          s.codec = new StreamCodec(model);
        }
        if (arith.code(0, LinkFrame.P_RARE) != 0) {
          long n = LinkFrame.ungamma(arith);
          if (n < 1 || n > area.left() || n > LinkEncoder.MAX_FRAME_INPUT) {
            throw new CodecFormatException(-1, "a stored section of " + n + " bytes");
          }
          byte[] raw = area.take((int) n);
          replay(s.codec, raw);
          s.out.put(raw, 0, raw.length);
        } else {
          s.codec.decode(arith, area, s.out);
        }
      }
      if (!area.done()) {
        throw new CodecFormatException(1, area.left() + " bytes of the area unused");
      }
      for (Stream s : order) {
        s.active = true;
      }
      failed = false;
      for (Stream s : order) {
        s.decoded += s.out.n;
        if (s.out.n > 0) {
          sink.data(s.id, s.out.a, 0, s.out.n);
        }
        s.out.n = 0;
        s.out.trim(4 << 10);
      }
    } catch (CodecFormatException e) {
      throw new CodecFormatException(e.offset() < 0 ? codeAt - off : e.offset(), e.detail());
    } catch (RuntimeException e) {
      throw new CodecFormatException(codeAt - off, "the frame does not decode: " + e);
    }
  }

  /** Reads which streams are in the frame: known ones, then new ones; in that order. */
  private List<Stream> sections() throws CodecFormatException {
    List<Stream> active = new ArrayList<>();
    for (Stream s : streams.values()) {
      if (s.active) {
        active.add(s);
      }
    }
    active.sort((a, b) -> Integer.compare(a.id, b.id));
    List<Stream> order = new ArrayList<>();
    for (Stream s : active) {
      int bit = arith.code(0, LinkFrame.p(s.presence));
      s.presence = TextTables.learn(s.presence, bit);
      if (bit != 0) {
        order.add(s);
      }
    }
    while (true) {
      int more = arith.code(0, LinkFrame.p(state.newState));
      state.newState = TextTables.learn(state.newState, more);
      if (more == 0) {
        break;
      }
      long id = state.expectedNew + LinkFrame.unzigzag(LinkFrame.ungamma(arith));
      Stream s = id < 0 || id > Integer.MAX_VALUE ? null : streams.get((int) id);
      if (s == null || s.active || order.contains(s)) {
        throw new CodecFormatException(-1, "stream " + id + " is not open, or not new");
      }
      state.expectedNew = id + 1;
      order.add(s);
    }
    return order;
  }

  /** Runs a stored section through the stream's models, as the encoder did before storing it. */
  private void replay(StreamCodec codec, byte[] raw) throws CodecFormatException {
    int taken = plan.plan(raw, 0, raw.length, codec.framing);
    if (taken != raw.length) {
      throw new CodecFormatException(-1, "a stored section that does not cut as it was coded");
    }
    codec.encode(replay, plan, new ByteBuf(16));
  }
}
