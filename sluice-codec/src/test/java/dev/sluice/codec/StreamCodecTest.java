package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The codec is lossless on any input, however it is written and flushed, and a damaged segment is
 * refused with a {@link CodecFormatException}, never anything else. A model trained on Arena-Hard
 * answers (small tables, built once) and the untrained model are both used.
 */
class StreamCodecTest {

  private static final CodecModel TRAINED = trained();
  private static final CodecModel UNTRAINED = CodecModel.untrained();

  private static CodecModel trained() {
    try {
      ModelTrainer t = new ModelTrainer().tableBits(10);
      List<Corpus.Answer> answers = Corpus.read(Corpus.ARENA_HARD);
      for (int i = 0; i < answers.size(); i += 3) {
        t.add(answers.get(i).text());
      }
      return CodecModel.fromBytes(t.build(TrainingProgress.NONE), "test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code in} in slices cut at {@code cuts}, flushing where {@code flushes} says. */
  private static List<byte[]> encode(CodecModel m, byte[] in, int[] cuts, boolean flushEach) {
    StreamEncoder enc = new StreamEncoder(m);
    List<byte[]> segs = new ArrayList<>();
    int off = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int end = i < cuts.length ? Math.max(off, Math.min(in.length, cuts[i])) : in.length;
      while (off < end) {
        off += enc.write(in, off, end - off);
        if (enc.pendingBytes() == StreamEncoder.MAX_SEGMENT_INPUT) {
          segs.add(enc.flush());
        }
      }
      if (flushEach) {
        byte[] s = enc.flush();
        if (s.length > 0) {
          segs.add(s);
        }
      }
    }
    byte[] last = enc.flush();
    if (last.length > 0) {
      segs.add(last);
    }
    long coded = segs.stream().mapToLong(s -> s.length).sum();
    assertThat(enc.codedBytes()).isEqualTo(coded);
    assertThat(enc.rawBytes()).isEqualTo(in.length);
    return segs;
  }

  private static byte[] decode(CodecModel m, List<byte[]> segs) throws CodecFormatException {
    StreamDecoder dec = new StreamDecoder(m);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] s : segs) {
      out.writeBytes(dec.decode(s, 0, s.length));
    }
    return out.toByteArray();
  }

  private static void roundTrip(byte[] in, int[] cuts, boolean flushEach) throws Exception {
    for (CodecModel m : new CodecModel[] {TRAINED, UNTRAINED}) {
      List<byte[]> segs = encode(m, in, cuts, flushEach);
      for (byte[] s : segs) {
        assertThat(s.length).isGreaterThan(0);
      }
      assertThat(decode(m, segs)).isEqualTo(in);
    }
  }

  @Property(seed = "20261123", tries = 200)
  void randomBytesRoundTrip(
      @ForAll @Size(max = 3000) byte[] in,
      @ForAll @Size(max = 8) List<@IntRange(max = 3000) Integer> cuts,
      @ForAll boolean flushEach)
      throws Exception {
    roundTrip(in, cuts.stream().sorted().mapToInt(Integer::intValue).toArray(), flushEach);
  }

  @Property(seed = "20261123", tries = 200)
  void sseLikeInputRoundTrips(
      @ForAll("sseLike") String text,
      @ForAll @Size(max = 12) List<@IntRange(max = 4000) Integer> cuts,
      @ForAll boolean flushEach)
      throws Exception {
    byte[] in = text.getBytes(StandardCharsets.ISO_8859_1);
    roundTrip(in, cuts.stream().sorted().mapToInt(Integer::intValue).toArray(), flushEach);
  }

  /**
   * SSE as real servers and broken ones write it: chunk events with content strings (escapes,
   * unfinished escapes, quotes, invalid UTF-8), CRLF and CR line ends, comments, other fields,
   * {@code data:} without its space, blank lines, bare JSON bodies.
   */
  @Provide
  Arbitrary<String> sseLike() {
    Arbitrary<String> content =
        Arbitraries.strings()
            .withChars("ab c\\\"\n\u00e9\u00ff\u0080\r{}:")
            .ofMaxLength(12)
            .map(s -> s.replace("\n", "\\n"));
    Arbitrary<String> event =
        Arbitraries.oneOf(
            content.map(
                c ->
                    "data: {\"id\":\"x\",\"choices\":[{\"delta\":{\"content\":\""
                        + c
                        + "\"},\"finish_reason\":null}]}\n\n"),
            content.map(c -> "data:{\"content\":\"" + c + "\"}\r\n\r\n"),
            content.map(c -> ": keep-alive " + c + "\n\n"),
            content.map(c -> "event: ping\nid: 7\nretry: 10\ndata: " + c + "\r\r"),
            content.map(c -> "{\"choices\":[{\"message\":{\"content\":\"" + c + "\"}}]}"),
            content.map(c -> "\"content\":\"" + c),
            Arbitraries.just("data: [DONE]\n\n"),
            Arbitraries.just("\r\n"),
            Arbitraries.just("\n"));
    return event.list().ofMaxSize(40).map(l -> String.join("", l));
  }

  @Test
  void theBuiltInModelLoadsAndSaysWhatItWasTrainedOn() throws Exception {
    CodecModel m = CodecModel.builtIn();
    assertThat(m.source()).isEqualTo("built-in");
    assertThat(m.description()).contains("1500 texts");
    byte[] in = demoStream(7, 20_000);
    List<byte[]> segs = encode(m, in, new int[] {5000}, true);
    assertThat(decode(m, segs)).isEqualTo(in);
    assertThat(CodecModel.class.getResource("/dev/sluice/codec/default.slcm.NOTICE")).isNotNull();
  }

  @Test
  void emptyStreamWritesNothing() throws Exception {
    StreamEncoder enc = new StreamEncoder(TRAINED);
    assertThat(enc.flush()).isEmpty();
    assertThat(enc.write(new byte[0], 0, 0)).isZero();
    assertThat(enc.flush()).isEmpty();
  }

  @Test
  void oneByteWritesFlushedEachTimeRoundTrip() throws Exception {
    byte[] in = demoStream(0, 4000);
    int[] cuts = new int[in.length];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    for (CodecModel m : new CodecModel[] {TRAINED, UNTRAINED}) {
      List<byte[]> segs = encode(m, in, cuts, true);
      assertThat(segs).hasSize(in.length);
      for (byte[] s : segs) {
        assertThat(s.length).isLessThanOrEqualTo(StreamEncoder.maxSegmentSize(1));
      }
      assertThat(decode(m, segs)).isEqualTo(in);
    }
  }

  @Test
  void everySplitOfADemoStreamRoundTrips() throws Exception {
    byte[] in = demoStream(3, 1500);
    for (int cut = 0; cut <= in.length; cut++) {
      List<byte[]> segs = encode(TRAINED, in, new int[] {cut}, true);
      assertThat(decode(TRAINED, segs)).as("cut at %d", cut).isEqualTo(in);
    }
  }

  @Test
  void hugeEventsRoundTrip() throws Exception {
    StringBuilder big = new StringBuilder("data: {\"choices\":[{\"delta\":{\"content\":\"");
    SplittableRandom r = new SplittableRandom(1);
    while (big.length() < (3 << 20)) {
      big.append((char) ('a' + r.nextInt(26)));
      if (r.nextInt(7) == 0) {
        big.append(' ');
      }
    }
    big.append("\"}}]}\n\n");
    byte[] in = (big + "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n").getBytes();
    roundTrip(in, new int[] {100_000, 1 << 20, (1 << 20) + 1}, false);
  }

  @Test
  void incompressibleInputGrowsByLessThanHalfAPercent() throws Exception {
    byte[] in = new byte[4 << 20];
    new SplittableRandom(42).nextBytes(in);
    int[] cuts = new int[in.length / (64 << 10)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = (i + 1) * (64 << 10);
    }
    List<byte[]> segs = encode(TRAINED, in, cuts, true);
    long coded = segs.stream().mapToLong(s -> s.length).sum();
    assertThat(coded).isLessThanOrEqualTo(in.length + in.length / 200);
    assertThat(decode(TRAINED, segs)).isEqualTo(in);
  }

  @Test
  void answersCompressFarBelowTheirSse() throws Exception {
    byte[] in = demoStream(5, 1 << 20);
    long coded = encode(TRAINED, in, new int[0], false).stream().mapToLong(s -> s.length).sum();
    assertThat(coded).isLessThan(in.length / 40);
  }

  @Property(seed = "20261123", tries = 300)
  void damagedSegmentsAreRefusedOrDecodeWithinBounds(
      @ForAll @IntRange(min = 0, max = 20) int stream,
      @ForAll @IntRange(min = 0, max = 1 << 20) int at,
      @ForAll @IntRange(min = 0, max = 7) int bit,
      @ForAll boolean truncate) {
    byte[] in = demoStream(stream, 3000);
    List<byte[]> segs = encode(TRAINED, in, new int[0], false);
    byte[] seg = segs.get(0);
    int pos = at % seg.length;
    byte[] bad = truncate ? java.util.Arrays.copyOf(seg, pos) : seg.clone();
    if (!truncate) {
      bad[pos] ^= (byte) (1 << bit);
    }
    StreamDecoder dec = new StreamDecoder(TRAINED);
    try {
      byte[] out = dec.decode(bad, 0, bad.length);
      // Without its CRC (the edge link's frame has one) a damaged arithmetic code may decode to
      // other bytes; it never decodes past the segment's stated length.
      assertThat(out.length).isLessThanOrEqualTo(StreamEncoder.MAX_SEGMENT_INPUT);
    } catch (CodecFormatException e) {
      assertThat(e.getMessage()).startsWith("codec segment, byte ");
    }
  }

  @Test
  void aDecoderThatRefusedASegmentRefusesTheNext() throws Exception {
    StreamDecoder dec = new StreamDecoder(TRAINED);
    assertThatThrownBy(() -> dec.decode(new byte[] {0x7f, 9}, 0, 2))
        .isInstanceOf(CodecFormatException.class)
        .hasMessageContaining("byte 0");
    byte[] ok = encode(TRAINED, "data: x\n\n".getBytes(), new int[0], false).get(0);
    assertThatThrownBy(() -> dec.decode(ok, 0, ok.length))
        .isInstanceOf(CodecFormatException.class)
        .hasMessageContaining("already rejected");
  }

  /**
   * Corpus answer {@code n} as OpenAI streams it ({@link RealStreams}), cut to at most {@code max}
   * bytes.
   */
  private static byte[] demoStream(int n, int max) {
    try {
      List<Corpus.Answer> answers = Corpus.read(Corpus.ARENA_HARD);
      Corpus.Answer a = answers.get(1 + 3 * n);
      byte[] s = RealStreams.stream(42, n, a.model(), a.text(), false);
      return java.util.Arrays.copyOf(s, Math.min(max, s.length));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
