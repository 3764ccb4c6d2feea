package dev.sluice.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway's codec for one multiplexed edge link: many streams (the egress of the client
 * connections the link carries), each with its own model state, coded together into frames with one
 * arithmetic coder, so a frame costs a few bytes however many streams' events it carries. {@link
 * LinkDecoder} with the same model, given the frame payloads in order and told of the same opens
 * and closes at the same points of the frame sequence, returns each stream's bytes exactly. {@link
 * LinkFrame} has the payload layout.
 *
 * <p>How a frame is made, and why in two steps: a frame's bytes are shared by the streams it
 * carries, and every byte must be paid for before it is written. So the link first {@link Frame#add
 * adds} the streams it would send (each stream's pending input is modelled then, once: its
 * decisions are kept in a {@link DecisionLog}), asks for the payload size and each stream's exact
 * {@link Frame#shares share}, charges those, {@link Frame#remove removes} any stream that cannot
 * pay (its modelled input stays pending for a later frame, before anything it writes next), and
 * only then {@link Frame#commit commits}.
 *
 * <p>Not thread-safe: one link, one event loop.
 */
public final class LinkEncoder {

  /** Most raw bytes one stream contributes to one frame. */
  public static final int MAX_FRAME_INPUT = 64 << 10;

  /** Most raw bytes a stream holds uncommitted before {@link #write} takes no more. */
  public static final int MAX_PENDING = 4 << 20;

  private final CodecModel model;
  private final Map<Integer, Stream> streams = new HashMap<>();
  private final SectionPlan plan = new SectionPlan();
  private final LinkFrame.Writer writer = new LinkFrame.Writer();
  private final HttpFraming saved = new HttpFraming();
  private Frame current;

  public LinkEncoder(CodecModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  /** Opens stream {@code id} (a new client connection); ids are the link's, unique while open. */
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

  /**
   * Takes bytes of stream {@code id} that must reach the decoder as they are, whatever the models
   * make of them (a denial response after its pending input was {@link #discard discarded}). Only
   * when nothing of the stream is pending.
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
    if (current != null && current.added.contains(s)) {
      throw new IllegalStateException("stream " + id + " is in the frame being built");
    }
    s.input.n = 0;
    s.raw.n = 0;
    s.unprepare();
    s.codec = null;
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
    if (current != null && current.added.contains(s)) {
      throw new IllegalStateException("stream " + id + " is in the frame being built");
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
    private final List<Stream> added = new ArrayList<>();
    private byte[] payload;

    private Frame() {}

    /**
     * Adds up to {@code maxRaw} bytes of stream {@code id}'s pending input (its flow-control
     * credit), modelling it now. A stream that was removed from an earlier frame brings what it
     * modelled then (within that credit) and nothing more.
     *
     * @return false when the stream has nothing to add (it is then not in the frame)
     */
    public boolean add(int id, long maxRaw) {
      check();
      Stream s = stream(id);
      if (added.contains(s)) {
        throw new IllegalStateException("stream " + id + " is already in the frame");
      }
      if (!s.prepared) {
        s.prepare(maxRaw);
      }
      if (!s.prepared) {
        return false;
      }
      added.add(s);
      payload = null;
      return true;
    }

    /** Takes stream {@code id} out of the frame; what it modelled stays pending. */
    public void remove(int id) {
      check();
      if (!added.remove(stream(id))) {
        throw new IllegalStateException("stream " + id + " is not in the frame");
      }
      payload = null;
    }

    /** The streams in the frame, in the order they were added. */
    public int[] streams() {
      int[] ids = new int[added.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = added.get(i).id;
      }
      return ids;
    }

    /** Raw bytes of stream {@code id} this frame carries. */
    public long rawBytes(int id) {
      Stream s = stream(id);
      return added.contains(s) ? s.preparedRaw : 0;
    }

    /** Bytes of the payload with the streams in it now. */
    public int payloadSize() {
      return payload().length;
    }

    /**
     * Splits {@code total} bytes (the payload and whatever framing the link adds) among the streams
     * in the frame, in {@link #streams()} order, in proportion to what each one's data costs in the
     * payload (largest remainder): the shares add up to {@code total} exactly and depend only on
     * the frame.
     */
    public long[] shares(long total) {
      check();
      if (total < 0) {
        throw new IllegalArgumentException("total must be >= 0: " + total);
      }
      long[] weight = new long[added.size()];
      long sum = 0;
      for (int i = 0; i < weight.length; i++) {
        weight[i] = added.get(i).weight();
        sum += weight[i];
      }
      return Shares.split(total, weight, sum);
    }

    /** Ends the frame: its payload; the streams' input in it is committed. */
    public byte[] commit() {
      check();
      byte[] out = writer.write(active(), sorted(), true);
      for (Stream s : added) {
        s.committed += s.preparedRaw;
        s.unprepare();
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
        payload = writer.write(active(), sorted(), false);
      }
      return payload;
    }

    private List<LinkFrame.Section> sorted() {
      List<LinkFrame.Section> s = new ArrayList<>(added);
      s.sort((a, b) -> Integer.compare(a.id(), b.id()));
      return s;
    }

    private void check() {
      if (current != this) {
        throw new IllegalStateException("the frame was committed or abandoned");
      }
    }
  }

  /** One stream's input, state and modelled section. */
  final class Stream implements LinkFrame.Section {
    final int id;
    StreamCodec codec;
    final ByteBuf input = new ByteBuf(256);
    final ByteBuf raw = new ByteBuf(16);
    final DecisionLog log = new DecisionLog();
    final ByteBuf area = new ByteBuf(16);
    boolean prepared;
    boolean stored;
    long preparedRaw;
    boolean restart;
    long committed;
    boolean active;
    char presence;

    Stream(int id) {
      this.id = id;
    }

    long pending() {
      return input.n + raw.n + (prepared ? preparedRaw : 0);
    }

    void unprepare() {
      prepared = false;
      stored = false;
      preparedRaw = 0;
      log.clear();
      area.n = 0;
      area.trim(4 << 10);
      input.trim(4 << 10);
    }

    long weight() {
      return 1 + log.cost() + (long) area.n * 8 * 256;
    }

    /** Models up to {@code maxRaw} bytes of input into the log (raw bytes first, alone). */
    void prepare(long maxRaw) {
      if (codec == null) {
        codec = new StreamCodec(model);
      }
      log.clear();
      area.n = 0;
      int taken;
      try {
        if (raw.n > 0) {
          if (maxRaw < raw.n) {
            return;
          }
          plan.planBinary(raw.a, 0, raw.n, codec.framing);
          codec.encode(log, plan, area);
          taken = raw.n;
          raw.n = 0;
        } else {
          int limit = (int) Math.min(Math.min(maxRaw, MAX_FRAME_INPUT), input.n);
          if (limit <= 0) {
            return;
          }
          limit = SectionPlan.lineLimit(input.a, 0, limit, input.n);
          saved.copyFrom(codec.framing);
          taken = plan.plan(input.a, 0, limit, codec.framing);
          while (taken < limit && taken > 0) {
            // The plan stopped before a chunk that is not all there: plan exactly what it took, so
            // that a decoder replaying these bytes (a stored section) cuts them the same way.
            limit = taken;
            codec.framing.copyFrom(saved);
            taken = plan.plan(input.a, 0, limit, codec.framing);
          }
          if (taken == 0) {
            codec.framing.copyFrom(saved);
            return;
          }
          codec.encode(log, plan, area);
          if (log.cost() / 256 / 8 + area.n > taken + 8L) {
            // Coded larger than it is: send it as it is; the decoder replays it through its
            // models, which learnt from it here already.
            log.clear();
            area.n = 0;
            area.put(input.a, 0, taken);
            stored = true;
          }
          System.arraycopy(input.a, taken, input.a, 0, input.n - taken);
          input.n -= taken;
        }
      } catch (CodecFormatException e) {
        throw new IllegalStateException("the encoder rejected its own input", e);
      }
      preparedRaw = taken;
      prepared = true;
    }

    @Override
    public int id() {
      return id;
    }

    @Override
    public boolean restart() {
      return restart;
    }

    @Override
    public boolean stored() {
      return stored;
    }

    @Override
    public DecisionLog log() {
      return log;
    }

    @Override
    public ByteBuf area() {
      return area;
    }

    @Override
    public boolean active() {
      return active;
    }

    @Override
    public void activate() {
      active = true;
    }

    @Override
    public char presence() {
      return presence;
    }

    @Override
    public void presence(char p) {
      presence = p;
    }
  }

  /** The streams the frame model knows (every open stream that was in a frame), sorted by id. */
  private List<LinkFrame.Section> active() {
    List<LinkFrame.Section> a = new ArrayList<>();
    for (Stream s : streams.values()) {
      if (s.active) {
        a.add(s);
      }
    }
    a.sort((x, y) -> Integer.compare(x.id(), y.id()));
    return a;
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
        // total * weight / sum, exactly: totals are frame sizes (< 2^31), weights < 2^40.
        java.math.BigInteger q =
            java.math.BigInteger.valueOf(total).multiply(java.math.BigInteger.valueOf(weight[i]));
        java.math.BigInteger[] qr = q.divideAndRemainder(java.math.BigInteger.valueOf(sum));
        out[i] = qr[0].longValueExact();
        rem[i] = qr[1].longValueExact();
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
