package dev.sluice.cli;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictCompress;
import dev.sluice.codec.CodecFormatException;
import dev.sluice.codec.CodecModel;
import dev.sluice.codec.StreamDecoder;
import dev.sluice.codec.StreamEncoder;
import dev.sluice.gateway.edge.EdgeLink;
import dev.sluice.gateway.edge.LinkFrameEncoder;
import dev.sluice.gateway.edge.LinkMessage;
import dev.sluice.gateway.edge.LinkSide;
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
 * <p>The codec's wire bytes are counted by the real {@link LinkFrameEncoder} of the gateway's side
 * of an edge link, two ways: {@link #oneLinkBytes} is one link carrying every stream in turn (as
 * one HTTP keep-alive client connection carries many responses): the magic and ACCEPT once, each
 * stream's DATA frames, one END at the end; {@link StreamResult#wireBytes} is the stream on a link
 * of its own (magic, ACCEPT, its DATA frames, END). Either way each stream has a fresh codec state,
 * which is stricter than a real link, whose codec state carries from one response to the next. The
 * reference compressors (gzip -6, zstd -3, zstd -19 with the model's dictionary) compress each
 * whole stream on its own and are counted without any framing.
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
  private final LinkFrameEncoder oneLink = new LinkFrameEncoder(LinkSide.GATEWAY);

  private final ByteBuf scratch = Unpooled.buffer();
  private long oneLinkDecoded;

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
    oneLink.encode(accept(), scratch);
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
   * after another: the magic and ACCEPT once, each stream's DATA frames, one END (written by the
   * first call; call once, after the last {@link #run}).
   */
  long oneLinkBytes() {
    if (!oneLink.ended()) {
      scratch.clear();
      oneLink.encode(new LinkMessage.End(LinkMessage.End.UNCOUNTED, oneLinkDecoded), scratch);
    }
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
      scratch.clear();
      oneLink.encode(new LinkMessage.Data(s), scratch);
    }
    oneLinkDecoded += input.length;
    return new StreamResult(
        name,
        input.length,
        textBytes >= 0 ? textBytes : AnswerText.bytes(input),
        linkBytes(segments, input.length),
        segmentBytes,
        segments.size(),
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

  /** The gateway's ACCEPT: codec 1, this model. */
  private LinkMessage.Accept accept() {
    return LinkMessage.Accept.of(EdgeLink.VERSION, EdgeLink.CODEC_STREAM, model.id());
  }

  /** Every byte the gateway writes on an edge link of its own that carries these segments. */
  private long linkBytes(List<byte[]> segments, long decodedBytes) {
    LinkFrameEncoder link = new LinkFrameEncoder(LinkSide.GATEWAY);
    ByteBuf buf = Unpooled.buffer();
    try {
      link.encode(accept(), buf);
      for (byte[] seg : segments) {
        buf.clear();
        link.encode(new LinkMessage.Data(seg), buf);
      }
      buf.clear();
      link.encode(new LinkMessage.End(LinkMessage.End.UNCOUNTED, decodedBytes), buf);
      return link.bytesWritten();
    } finally {
      buf.release();
    }
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
