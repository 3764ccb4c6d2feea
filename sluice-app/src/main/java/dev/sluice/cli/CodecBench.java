package dev.sluice.cli;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictCompress;
import dev.sluice.codec.CodecFormatException;
import dev.sluice.codec.CodecModel;
import dev.sluice.codec.GatewayWrites;
import dev.sluice.codec.StreamDecoder;
import dev.sluice.codec.StreamEncoder;
import dev.sluice.gateway.edge.LinkSide;
import dev.sluice.gateway.edge.MuxAccept;
import dev.sluice.gateway.edge.MuxFrameEncoder;
import dev.sluice.gateway.edge.MuxMessage;
import dev.sluice.time.Clock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * What {@code codec bench} does to one egress stream, and the totals over many. Each stream gets a
 * fresh {@link StreamEncoder} and {@link StreamDecoder} (the model is all they share), is written
 * as a gateway writes what it reads ({@link GatewayWrites}), and is decoded and compared byte for
 * byte.
 *
 * <p>The codec's wire bytes are counted by the real {@link MuxFrameEncoder} of the gateway's side
 * of an edge link (version 2, plain TCP: a CRC32C per frame), two ways: {@link #oneLinkBytes} is
 * one link carrying every stream in turn: the magic and ACCEPT once, each stream's FRAME messages
 * (a codec frame each) and its END; {@link StreamResult#wireBytes} is the stream on a link of its
 * own (magic, ACCEPT, its frames, its END). Either way each stream has a fresh codec state and a
 * frame of its own, which is stricter than a live link, whose frames carry many streams and whose
 * codec state carries from one response to the next. The reference compressors (gzip -6, zstd -3,
 * zstd -19 with the model's dictionary) compress each whole stream on its own and are counted
 * without any framing.
 *
 * <p>Not thread-safe: one per run.
 */
final class CodecBench {

  /** The result of one stream; {@code wireBytes}: on an edge link of its own. */
  record StreamResult(
      String name,
      long inputBytes,
      long textBytes,
      long wireBytes,
      long segmentBytes,
      int segments,
      int frames,
      long gzip6,
      long zstd3,
      long zstd19,
      long encodeNanos,
      long decodeNanos,
      String failure) {

    boolean ok() {
      return failure == null;
    }
  }

  /** Sums over every stream of a run. */
  static final class Totals {
    long streams;
    long inputBytes;
    long textBytes;

    /** One link carrying every stream in turn ({@link CodecBench#oneLinkBytes}), set at the end. */
    long wireBytes;

    /** The sum of each stream on a link of its own. */
    long wireBytesLinkPerStream;

    long segmentBytes;
    long segments;
    long frames;
    long gzip6;
    long zstd3;
    long zstd19;
    long encodeNanos;
    long decodeNanos;
    final List<StreamResult> failures = new ArrayList<>();

    void add(StreamResult r) {
      streams++;
      inputBytes += r.inputBytes;
      textBytes += r.textBytes;
      wireBytesLinkPerStream += r.wireBytes;
      segmentBytes += r.segmentBytes;
      segments += r.segments;
      frames += r.frames;
      gzip6 += r.gzip6;
      zstd3 += r.zstd3;
      zstd19 += r.zstd19;
      encodeNanos += r.encodeNanos;
      decodeNanos += r.decodeNanos;
      if (!r.ok()) {
        failures.add(r);
      }
    }

    boolean roundTripOk() {
      return failures.isEmpty();
    }
  }

  private final CodecModel model;
  private final Clock clock;
  private final byte[] dictionary;
  private final ZstdDictCompress zstdDict;
  private final UnaryOperator<byte[]> link;

  /** The gateway's side of the one link that carries every stream in turn. */
  private final MuxFrameEncoder oneLink = new MuxFrameEncoder(LinkSide.GATEWAY);

  private final ByteBuf scratch = Unpooled.buffer();
  private int streamId;

  /**
   * @param link what happens to a segment between encoder and decoder: the identity, except in
   *     tests that corrupt segments
   */
  CodecBench(CodecModel model, Clock clock, UnaryOperator<byte[]> link) {
    this.model = model;
    this.clock = clock;
    this.link = link;
    this.dictionary = model.zstdDictionary();
    this.zstdDict = dictionary.length == 0 ? null : new ZstdDictCompress(dictionary, 19);
    scratch.clear();
    oneLink.handshake(accept(), scratch);
  }

  /** Bytes of the model's zstd dictionary; 0 when it has none (zstd -19 then runs without one). */
  int dictionaryBytes() {
    return dictionary.length;
  }

  /** Frees the native dictionary and the scratch buffer. */
  void close() {
    if (zstdDict != null) {
      zstdDict.close();
    }
    scratch.release();
  }

  /**
   * Every byte the gateway writes on one edge link that carries all the streams run so far, one
   * after another: the magic and ACCEPT once, then each stream's FRAME messages and its END.
   */
  long oneLinkBytes() {
    return oneLink.bytesWritten();
  }

  /** Measures one stream; its answer text is counted from its bytes ({@link AnswerText}). */
  StreamResult run(String name, byte[] input) {
    return run(name, input, -1);
  }

  /**
   * Measures one stream.
   *
   * @param textBytes the bytes of answer text it carries, or -1 to count them from its bytes
   */
  StreamResult run(String name, byte[] input, long textBytes) {
    List<byte[]> segments = new ArrayList<>();
    long t0 = clock.nanos();
    GatewayWrites.encode(new StreamEncoder(model), input, segments::add);
    long encodeNanos = clock.nanos() - t0;

    ByteArrayOutputStream decoded = new ByteArrayOutputStream(input.length);
    StreamDecoder dec = new StreamDecoder(model);
    String failure = null;
    long t1 = clock.nanos();
    for (int i = 0; i < segments.size() && failure == null; i++) {
      byte[] seg = link.apply(segments.get(i));
      try {
        decoded.writeBytes(dec.decode(seg, 0, seg.length));
      } catch (CodecFormatException e) {
        failure =
            "segment "
                + i
                + " (after "
                + decoded.size()
                + " decoded bytes) rejected: "
                + e.getMessage();
      }
    }
    long decodeNanos = clock.nanos() - t1;
    if (failure == null) {
      failure = difference(input, decoded.toByteArray());
    }

    long segmentBytes = 0;
    for (byte[] s : segments) {
      segmentBytes += s.length;
    }
    int id = ++streamId;
    writeStream(oneLink, segments, id, input.length);
    MuxFrameEncoder own = new MuxFrameEncoder(LinkSide.GATEWAY);
    scratch.clear();
    own.handshake(accept(), scratch);
    int frames = writeStream(own, segments, id, input.length);
    return new StreamResult(
        name,
        input.length,
        textBytes >= 0 ? textBytes : AnswerText.bytes(input),
        own.bytesWritten(),
        segmentBytes,
        segments.size(),
        frames,
        gzip6(input),
        Zstd.compress(input, 3).length,
        zstdDict == null ? Zstd.compress(input, 19).length : Zstd.compress(input, zstdDict).length,
        encodeNanos,
        decodeNanos,
        failure);
  }

  /** Null if equal, else where the decoded bytes first differ from the input. */
  static String difference(byte[] input, byte[] decoded) {
    int at = Arrays.mismatch(input, decoded);
    if (at < 0) {
      return null;
    }
    if (at == decoded.length) {
      return "decoded " + decoded.length + " bytes, the input has " + input.length;
    }
    if (at == input.length) {
      return "decoded " + decoded.length + " bytes, more than the input's " + input.length;
    }
    return "first difference at byte " + at;
  }

  /** The gateway's ACCEPT on plain TCP, with the default window and ping interval. */
  private MuxAccept accept() {
    return MuxAccept.of(1, model.id(), true, 256 << 10, 30_000);
  }

  /**
   * Writes a stream on {@code link}: a FRAME message per codec frame of its segments (each frame is
   * preceded in its segment by its length), then its END. Returns the number of frames.
   */
  private int writeStream(MuxFrameEncoder link, List<byte[]> segments, int id, long bytes) {
    int frames = 0;
    for (byte[] seg : segments) {
      int pos = 0;
      while (pos < seg.length) {
        int len = 0;
        int shift = 0;
        int b;
        do {
          b = seg[pos++] & 0xFF;
          len |= (b & 0x7F) << shift;
          shift += 7;
        } while ((b & 0x80) != 0);
        scratch.clear();
        link.encode(new MuxMessage.Frame(Arrays.copyOfRange(seg, pos, pos + len)), scratch);
        pos += len;
        frames++;
      }
    }
    scratch.clear();
    link.encode(new MuxMessage.End(id, bytes), scratch);
    return frames;
  }

  static long gzip6(byte[] input) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(input.length / 4 + 64);
    try (GZIPOutputStream gz = new Level6Gzip(out)) {
      gz.write(input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.size();
  }

  /** gzip at level 6 (zlib's default, said explicitly). */
  private static final class Level6Gzip extends GZIPOutputStream {
    Level6Gzip(ByteArrayOutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(6);
      def.setStrategy(Deflater.DEFAULT_STRATEGY);
    }
  }
}
