package dev.sluice.codec;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The edge's codec for one multiplexed edge link: restores what a {@link LinkEncoder} with the same
 * model coded. Streams are opened and closed at the same points of the frame sequence as the
 * encoder's (the link's control messages say when); {@link #decode} hands each stream's bytes to a
 * {@link Sink} in order. A payload it cannot accept throws {@link CodecFormatException} naming the
 * offset; the decoder is unusable from then on, for every stream (their model states may no longer
 * be the encoder's). Not thread-safe.
 */
public final class LinkDecoder {

  /** Receives decoded bytes; {@code b[off, off + len)} is valid only during the call. */
  @FunctionalInterface
  public interface Sink {
    void data(int stream, byte[] b, int off, int len);
  }

  private final CodecModel model;
  private final Map<Integer, StreamDecoder> streams = new HashMap<>();
  private final Map<Integer, long[]> decoded = new HashMap<>();
  private boolean failed;

  public LinkDecoder(CodecModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  public void open(int id) {
    if (id < 0) {
      throw new IllegalArgumentException("stream id must be >= 0: " + id);
    }
    if (streams.putIfAbsent(id, new StreamDecoder(model)) != null) {
      throw new IllegalStateException("stream " + id + " is already open");
    }
    decoded.put(id, new long[1]);
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
    if (streams.remove(id) == null) {
      throw new IllegalStateException("stream " + id + " is not open");
    }
    return decoded.remove(id)[0];
  }

  /** Bytes decoded so far for stream {@code id}. */
  public long decodedBytes(int id) {
    long[] d = decoded.get(id);
    if (d == null) {
      throw new IllegalStateException("stream " + id + " is not open");
    }
    return d[0];
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
    Reader in = new Reader(payload, off, off + len);
    long count = in.varint("stream count");
    if (count > streams.size()) {
      throw new CodecFormatException(0, count + " streams in a frame, " + streams.size() + " open");
    }
    int[] ids = new int[(int) count];
    byte[][] out = new byte[(int) count][];
    for (int k = 0; k < count; k++) {
      int at = in.pos - off;
      long id = in.varint("stream id");
      StreamDecoder d = id > Integer.MAX_VALUE ? null : streams.get((int) id);
      if (d == null) {
        throw new CodecFormatException(at, "stream " + id + " is not open");
      }
      for (int j = 0; j < k; j++) {
        if (ids[j] == id) {
          throw new CodecFormatException(at, "stream " + id + " twice in one frame");
        }
      }
      ids[k] = (int) id;
      long head = in.varint("piece count");
      if ((head & 1) != 0) {
        d = new StreamDecoder(model);
        streams.put((int) id, d);
      }
      long pieces = head >>> 1;
      ByteBuf bytes = new ByteBuf(64);
      for (long p = 0; p < pieces; p++) {
        int pat = in.pos - off;
        long h = in.varint("piece length");
        long n = h >>> 1;
        if (n > in.end - in.pos) {
          throw new CodecFormatException(pat, "piece of " + n + " bytes does not fit the frame");
        }
        if ((h & 1) != 0) {
          bytes.put(in.b, in.pos, (int) n);
        } else {
          try {
            byte[] seg = d.decode(in.b, in.pos, (int) n);
            bytes.put(seg, 0, seg.length);
          } catch (CodecFormatException e) {
            throw new CodecFormatException(in.pos - off + e.offset(), e.getMessage());
          }
        }
        in.pos += (int) n;
      }
      out[k] = bytes.toArray();
    }
    if (in.pos != in.end) {
      throw new CodecFormatException(
          in.pos - off, (in.end - in.pos) + " bytes after the last stream");
    }
    failed = false;
    for (int k = 0; k < count; k++) {
      decoded.get(ids[k])[0] += out[k].length;
      if (out[k].length > 0) {
        sink.data(ids[k], out[k], 0, out[k].length);
      }
    }
  }

  private static final class Reader {
    final byte[] b;
    final int end;
    int pos;

    Reader(byte[] b, int off, int end) {
      this.b = b;
      this.pos = off;
      this.end = end;
    }

    long varint(String what) throws CodecFormatException {
      int at = pos;
      long v = 0;
      for (int shift = 0; shift < 63; shift += 7) {
        if (pos >= end) {
          throw new CodecFormatException(at, "truncated " + what);
        }
        int x = b[pos++] & 0xFF;
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new CodecFormatException(at, "bad varint " + what);
    }
  }
}
