package dev.sluice.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway's codec for one multiplexed edge link: many streams (the egress of the client
 * connections the link carries), each with its own model state, coded together into frames. {@link
 * LinkDecoder} with the same model, given the frame payloads in order and told of the same opens
 * and closes at the same points of the frame sequence, returns each stream's bytes exactly.
 *
 * <p>How a frame is made, and why in two steps: a frame's bytes are shared by the streams it
 * carries, and every byte must be paid for before it is written. So the link first {@link Frame#add
 * adds} the streams it would send, asks for the payload size and each stream's exact {@link
 * Frame#shares share}, charges those, {@link Frame#remove removes} any stream that cannot pay (its
 * input stays pending, already modelled), and only then {@link Frame#commit commits}. A stream's
 * input is modelled once, when it is first added; removing it never rewinds a model.
 *
 * <p>Not thread-safe: one link, one event loop.
 */
public final class LinkEncoder {

  /** Most raw bytes one stream contributes to one frame. */
  public static final int MAX_FRAME_INPUT = StreamEncoder.MAX_SEGMENT_INPUT;

  private final CodecModel model;
  private final Map<Integer, Stream> streams = new HashMap<>();
  private Frame current;

  public LinkEncoder(CodecModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  /** Opens stream {@code id} (a new client connection); ids are the link's, unique while open. */
  public void open(int id) {
    if (id < 0) {
      throw new IllegalArgumentException("stream id must be >= 0: " + id);
    }
    if (streams.putIfAbsent(id, new Stream(model)) != null) {
      throw new IllegalStateException("stream " + id + " is already open");
    }
  }

  public boolean isOpen(int id) {
    return streams.containsKey(id);
  }

  /** Streams open now. */
  public int openStreams() {
    return streams.size();
  }

  /**
   * Takes up to {@code len} raw egress bytes of stream {@code id}.
   *
   * @return how many were taken; fewer than {@code len} once the stream holds {@link #MAX_PENDING}
   *     bytes not yet committed (stop reading its source until a frame is committed)
   */
  public int write(int id, byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    Stream s = stream(id);
    int n = (int) Math.min(len, MAX_PENDING - s.pending());
    if (n <= 0) {
      return 0;
    }
    s.input.put(b, off, n);
    return n;
  }

  /** Most raw bytes a stream holds uncommitted before {@link #write} takes no more. */
  public static final int MAX_PENDING = 4 << 20;

  /**
   * Takes bytes of stream {@code id} that bypass its models (a denial response after its pending
   * input was {@link #discard discarded}): they reach the decoder as they are. Only when nothing of
   * the stream is pending.
   */
  public void writeRaw(int id, byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    Stream s = stream(id);
    if (s.pending() != 0) {
      throw new IllegalStateException("stream " + id + " has pending input; discard it first");
    }
    s.raw.put(b, off, len);
  }

  /** Raw bytes of stream {@code id} taken and not yet in a committed frame. */
  public long pending(int id) {
    return stream(id).pending();
  }

  /**
   * Drops everything of stream {@code id} not yet committed, modelled or not. Its models are then
   * ahead of the decoder's, so the stream's model state restarts, and the next frame that carries
   * it tells the decoder to restart too.
   */
  public void discard(int id) {
    Stream s = stream(id);
    if (current != null && current.added.contains(id)) {
      throw new IllegalStateException("stream " + id + " is in the frame being built");
    }
    s.input.n = 0;
    s.raw.n = 0;
    s.prepared.clear();
    s.encoder = new StreamEncoder(model);
    s.restart = true;
  }

  /**
   * Closes stream {@code id} and forgets it.
   *
   * @return the raw bytes committed for it in all (what the decoder must have returned for it)
   * @throws IllegalStateException if input is still pending (commit or discard it first)
   */
  public long close(int id) {
    Stream s = stream(id);
    if (s.pending() != 0) {
      throw new IllegalStateException("stream " + id + " has uncommitted input");
    }
    streams.remove(id);
    return s.committed;
  }

  /** Starts a frame; only one may be under construction at a time. */
  public Frame frame() {
    if (current != null) {
      throw new IllegalStateException("a frame is already being built");
    }
    current = new Frame();
    return current;
  }

  private Stream stream(int id) {
    Stream s = streams.get(id);
    if (s == null) {
      throw new IllegalStateException("stream " + id + " is not open");
    }
    return s;
  }

  /** One frame under construction. */
  public final class Frame {
    private final List<Integer> added = new ArrayList<>();
    private byte[] payload;

    private Frame() {}

    /**
     * Adds up to {@code maxRaw} bytes of stream {@code id}'s pending input (its flow-control
     * credit), modelling what was not modelled yet.
     *
     * @return false when the stream has nothing to add (it is then not in the frame)
     */
    public boolean add(int id, long maxRaw) {
      check();
      if (added.contains(id)) {
        throw new IllegalStateException("stream " + id + " is already in the frame");
      }
      Stream s = stream(id);
      s.prepare(maxRaw);
      if (s.prepared.isEmpty() && !s.restart) {
        return false;
      }
      added.add(id);
      payload = null;
      return true;
    }

    /** Takes stream {@code id} out of the frame; its modelled input stays pending. */
    public void remove(int id) {
      check();
      if (!added.remove((Integer) id)) {
        throw new IllegalStateException("stream " + id + " is not in the frame");
      }
      payload = null;
    }

    /** The streams in the frame, in the order they were added. */
    public int[] streams() {
      return added.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Raw bytes of stream {@code id} this frame carries. */
    public long rawBytes(int id) {
      long n = 0;
      for (Piece p : stream(id).prepared) {
        n += p.raw;
      }
      return n;
    }

    /** Bytes of the payload with the streams in it now. */
    public int payloadSize() {
      return payload().length;
    }

    /**
     * Splits {@code total} bytes (the payload and whatever framing the link adds) among the streams
     * in the frame, in {@link #streams()} order, in proportion to the bytes each one's data takes
     * in the payload (largest remainder): the shares add up to {@code total} exactly and depend
     * only on the frame.
     */
    public long[] shares(long total) {
      check();
      if (total < 0) {
        throw new IllegalArgumentException("total must be >= 0: " + total);
      }
      long[] weight = new long[added.size()];
      long sum = 0;
      for (int i = 0; i < weight.length; i++) {
        weight[i] = 1;
        for (Piece p : stream(added.get(i)).prepared) {
          weight[i] += p.coded.length;
        }
        sum += weight[i];
      }
      return Shares.split(total, weight, sum);
    }

    /** Ends the frame: its payload; the streams' input in it is committed. */
    public byte[] commit() {
      check();
      byte[] out = payload();
      for (int id : added) {
        Stream s = stream(id);
        for (Piece p : s.prepared) {
          s.committed += p.raw;
        }
        s.prepared.clear();
        s.restart = false;
      }
      current = null;
      return out;
    }

    /** Ends the frame without sending anything; all input stays pending. */
    public void abandon() {
      check();
      current = null;
    }

    private byte[] payload() {
      if (payload == null) {
        ByteBuf out = new ByteBuf(64);
        out.varint(added.size());
        for (int id : added) {
          Stream s = stream(id);
          out.varint(id);
          out.varint(s.prepared.size() << 1 | (s.restart ? 1 : 0));
          for (Piece p : s.prepared) {
            out.varint((long) p.coded.length << 1 | (p.stored ? 1 : 0));
            out.put(p.coded, 0, p.coded.length);
          }
        }
        payload = out.toArray();
      }
      return payload;
    }

    private void check() {
      if (current != this) {
        throw new IllegalStateException("the frame was committed or abandoned");
      }
    }
  }

  /** A prepared part of a stream: one codec segment, or raw bytes. */
  private record Piece(byte[] coded, long raw, boolean stored) {}

  private static final class Stream {
    StreamEncoder encoder;
    final ByteBuf input = new ByteBuf(256);
    final ByteBuf raw = new ByteBuf(16);
    final List<Piece> prepared = new ArrayList<>();
    long committed;
    boolean restart;

    Stream(CodecModel model) {
      encoder = new StreamEncoder(model);
    }

    long pending() {
      long n = input.n + raw.n;
      for (Piece p : prepared) {
        n += p.raw;
      }
      return n;
    }

    /** Models up to {@code maxRaw} more bytes of input beside what is prepared already. */
    void prepare(long maxRaw) {
      long room = maxRaw;
      for (Piece p : prepared) {
        room -= p.raw;
      }
      if (raw.n > 0) {
        if (room < raw.n) {
          return; // raw bytes go whole, and before any input written after them
        }
        prepared.add(new Piece(raw.toArray(), raw.n, true));
        room -= raw.n;
        raw.n = 0;
      }
      int off = 0;
      while (room > 0 && off < input.n) {
        int n = (int) Math.min(Math.min(room, input.n - off), MAX_FRAME_INPUT);
        int taken = encoder.write(input.a, off, n);
        byte[] seg = encoder.flush();
        prepared.add(new Piece(seg, taken, false));
        off += taken;
        room -= taken;
      }
      if (off > 0) {
        System.arraycopy(input.a, off, input.a, 0, input.n - off);
        input.n -= off;
      }
    }
  }

  /** Exact proportional splits. */
  static final class Shares {
    private Shares() {}

    /** {@code total} split by {@code weight} (summing to {@code sum} > 0), largest remainder. */
    static long[] split(long total, long[] weight, long sum) {
      long[] out = new long[weight.length];
      if (weight.length == 0) {
        return out;
      }
      long given = 0;
      long[] rem = new long[weight.length];
      for (int i = 0; i < weight.length; i++) {
        // total * weight / sum without overflow: totals are frame sizes (< 2^31), weights too.
        long q = Math.multiplyExact(total, weight[i]);
        out[i] = q / sum;
        rem[i] = q % sum;
        given += out[i];
      }
      long left = total - given;
      Integer[] order = new Integer[weight.length];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> rem[a] != rem[b] ? Long.compare(rem[b], rem[a]) : a - b);
      for (int k = 0; k < left; k++) {
        out[order[k]]++;
      }
      return out;
    }
  }
}
