package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.HeldOut;
import dev.sluice.codec.sample.HttpFraming;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import dev.sluice.codec.sample.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every API family's streams come back byte for byte, however the link cuts them: whole (sections
 * of 64 KiB), live (a frame every one to four events, many streams interleaved in one frame, some
 * left out of a frame and sent in a later one), as bodies and as whole HTTP responses, cut by
 * either vocabulary, with the trained and the untrained model.
 */
class FamilyRoundTripTest {

  private static final CodecModel UNTRAINED = CodecModel.untrained();

  private static FamilyStream build(Family f, int n, boolean cl100k, boolean usage) {
    List<HeldOut.Answer> answers = TrainedModels.heldOut();
    String text = answers.get(n % answers.size()).text();
    SplittableRandom r = new SplittableRandom(1000L * f.ordinal() + n);
    SampleOptions o =
        SampleOptions.defaults()
            .withIncludeUsage(usage)
            .withCreated(SampleOptions.DEFAULT_CREATED + r.nextInt(1 << 24))
            .withPromptTokens(1 + r.nextInt(600));
    Tokenizer t = Tokenizer.of(cl100k ? Vocabulary.CL100K_BASE : Vocabulary.O200K_BASE);
    return f.build(text, t, r, o);
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void wholeStreamsRoundTrip(Family f) throws Exception {
    for (CodecModel m : new CodecModel[] {TrainedModels.small(), UNTRAINED}) {
      for (int n = 0; n < 4; n++) {
        FamilyStream s = build(f, n, n % 2 == 1, n != 2);
        byte[] body = s.body();
        byte[] http = HttpFraming.response(s, SampleOptions.DEFAULT_CREATED + n);
        for (byte[] in : new byte[][] {body, http}) {
          assertThat(whole(m, in)).isEqualTo(in);
        }
      }
    }
  }

  /** One encoder, the stream written in 16 KiB writes, a segment when full and at the end. */
  private static byte[] whole(CodecModel m, byte[] in) throws CodecFormatException {
    StreamEncoder enc = new StreamEncoder(m);
    StreamDecoder dec = new StreamDecoder(m);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int off = 0;
    while (off < in.length) {
      off += enc.write(in, off, Math.min(16 << 10, in.length - off));
      if (enc.pendingBytes() == StreamEncoder.MAX_SEGMENT_INPUT || off == in.length) {
        byte[] seg = enc.flush();
        out.writeBytes(dec.decode(seg, 0, seg.length));
      }
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void liveStreamsInterleavedOnOneLinkRoundTrip(Family f) throws Exception {
    CodecModel m = TrainedModels.small();
    SplittableRandom r = new SplittableRandom(f.ordinal());
    LinkEncoder enc = new LinkEncoder(m);
    LinkDecoder dec = new LinkDecoder(m);
    int streams = 6;
    List<List<byte[]>> writes = new ArrayList<>();
    int[] next = new int[streams];
    Map<Integer, ByteArrayOutputStream> sent = new HashMap<>();
    Map<Integer, ByteArrayOutputStream> got = new HashMap<>();
    for (int s = 0; s < streams; s++) {
      FamilyStream fs = build(f, s, s % 3 == 2, true);
      List<byte[]> w = new ArrayList<>();
      if (s % 2 == 0) {
        // As a gateway writes a live response: the head, then a chunk per event.
        byte[] http = HttpFraming.response(fs, SampleOptions.DEFAULT_CREATED);
        w.add(http);
      } else {
        w.addAll(fs.writes());
      }
      writes.add(w);
      enc.open(s + 1);
      dec.open(s + 1);
      sent.put(s + 1, new ByteArrayOutputStream());
      got.put(s + 1, new ByteArrayOutputStream());
    }
    boolean more = true;
    while (more) {
      more = false;
      for (int s = 0; s < streams; s++) {
        int k = r.nextInt(5);
        while (k-- > 0 && next[s] < writes.get(s).size()) {
          byte[] w = writes.get(s).get(next[s]++);
          int cut = w.length > 4000 ? 1 + r.nextInt(w.length - 1) : w.length;
          // A large write (a whole HTTP response) goes in two parts, as reads would bring it.
          assertThat(enc.write(s + 1, w, 0, cut)).isEqualTo(cut);
          if (cut < w.length) {
            assertThat(enc.write(s + 1, w, cut, w.length - cut)).isEqualTo(w.length - cut);
          }
          sent.get(s + 1).writeBytes(w);
        }
        more |= next[s] < writes.get(s).size();
      }
      frame(enc, dec, got, streams, r);
    }
    for (int i = 0; i < 200; i++) {
      boolean pending = false;
      for (int s = 1; s <= streams; s++) {
        pending |= enc.pending(s) > 0;
      }
      if (!pending) {
        break;
      }
      frame(enc, dec, got, streams, r);
    }
    for (int s = 1; s <= streams; s++) {
      assertThat(got.get(s).toByteArray()).as("stream %d", s).isEqualTo(sent.get(s).toByteArray());
      assertThat(dec.close(s)).isEqualTo(enc.close(s));
    }
  }

  /** A frame of every stream with something pending, but one left out now and then. */
  private static void frame(
      LinkEncoder enc,
      LinkDecoder dec,
      Map<Integer, ByteArrayOutputStream> got,
      int streams,
      SplittableRandom r)
      throws CodecFormatException {
    LinkEncoder.Frame fr = enc.frame();
    for (int s = 1; s <= streams; s++) {
      fr.add(s, r.nextInt(10) == 0 ? 1 + r.nextInt(300) : Long.MAX_VALUE);
    }
    int[] in = fr.streams();
    if (in.length > 1 && r.nextInt(4) == 0) {
      fr.payloadSize();
      fr.remove(in[r.nextInt(in.length)]);
    }
    long total = fr.payloadSize() + 3L;
    long sum = 0;
    for (long x : fr.shares(total)) {
      sum += x;
    }
    assertThat(sum).isEqualTo(fr.streams().length == 0 ? 0 : total);
    byte[] p = fr.commit();
    dec.decode(p, 0, p.length, (id, b, off, len) -> got.get(id).write(b, off, len));
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void theSameInputCodesToTheSameBytes(Family f) {
    byte[] in = build(f, 1, false, true).body();
    StreamEncoder a = new StreamEncoder(TrainedModels.small());
    StreamEncoder b = new StreamEncoder(TrainedModels.small());
    a.write(in, 0, Math.min(in.length, StreamEncoder.MAX_SEGMENT_INPUT));
    b.write(in, 0, Math.min(in.length, StreamEncoder.MAX_SEGMENT_INPUT));
    assertThat(a.flush()).isEqualTo(b.flush());
  }
}
