package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.HttpFraming;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A chunked response whose chunks do not follow its lines: a server's buffered writer, or a proxy
 * that relays each socket read of a long event as a chunk of its own, cuts events anywhere. The
 * codec joins such chunks into groups so their lines are coded whole: the stream still comes back
 * byte for byte, and costs about what the same stream with a chunk per event costs (a line cut in
 * two lexes as two broken lines whose values match no template: before chunk groups, the Responses
 * API's stream cut every 1 KiB cost 3.9 times as much).
 */
class RechunkedStreamsTest {

  private static FamilyStream stream(Family f, int n) {
    String text = TrainedModels.heldOut().get(n).text();
    SplittableRandom r = new SplittableRandom(77L * f.ordinal() + n);
    return f.build(
        text,
        Tokenizer.o200k(),
        r,
        SampleOptions.defaults().withCreated(SampleOptions.DEFAULT_CREATED + r.nextInt(1 << 20)));
  }

  /**
   * The response as its writes reach the gateway: the head, then per event one write of chunks of
   * at most {@code maxPiece} data bytes each (1 to {@code maxPiece}, seeded; 0: a chunk per event).
   */
  static List<byte[]> writes(FamilyStream s, SplittableRandom r, int maxPiece) {
    byte[] whole = HttpFraming.response(s, SampleOptions.DEFAULT_CREATED);
    String all = new String(whole, StandardCharsets.ISO_8859_1);
    int headEnd = all.indexOf("\r\n\r\n") + 4;
    List<byte[]> out = new ArrayList<>();
    out.add(java.util.Arrays.copyOf(whole, headEnd));
    if (!s.family().streaming()) {
      out.add(java.util.Arrays.copyOfRange(whole, headEnd, whole.length));
      return out;
    }
    ByteArrayOutputStream w = new ByteArrayOutputStream();
    for (byte[] ev : s.writes()) {
      int o = 0;
      while (o < ev.length) {
        int n = maxPiece == 0 ? ev.length - o : Math.min(ev.length - o, 1 + r.nextInt(maxPiece));
        w.writeBytes(Integer.toHexString(n).getBytes(StandardCharsets.US_ASCII));
        w.writeBytes(new byte[] {'\r', '\n'});
        w.write(ev, o, n);
        w.writeBytes(new byte[] {'\r', '\n'});
        o += n;
      }
      out.add(w.toByteArray());
      w.reset();
    }
    out.add("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return out;
  }

  /**
   * Codes {@code writes} on one link, a frame after every one to three writes, sometimes cutting a
   * write in two between frames; checks the round trip and returns the payload bytes.
   */
  private static long live(CodecModel m, List<byte[]> writes, SplittableRandom r, boolean split)
      throws CodecFormatException {
    LinkEncoder enc = new LinkEncoder(m);
    LinkDecoder dec = new LinkDecoder(m);
    enc.open(1);
    dec.open(1);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long payload = 0;
    int i = 0;
    while (i < writes.size() || enc.pending(1) > 0) {
      for (int k = 1 + r.nextInt(3); k > 0 && i < writes.size(); k--) {
        byte[] w = writes.get(i++);
        int cut = split && r.nextInt(8) == 0 ? r.nextInt(w.length + 1) : w.length;
        enc.write(1, w, 0, cut);
        sent.write(w, 0, cut);
        if (cut < w.length) {
          payload += frame(enc, dec, got);
          enc.write(1, w, cut, w.length - cut);
          sent.write(w, cut, w.length - cut);
        }
      }
      payload += frame(enc, dec, got);
    }
    assertThat(got.toByteArray()).isEqualTo(sent.toByteArray());
    return payload;
  }

  private static long chunks(List<byte[]> writes) {
    long n = 0;
    for (byte[] w : writes) {
      String s = new String(w, StandardCharsets.ISO_8859_1);
      for (int i = s.indexOf("\r\n"); i >= 0; i = s.indexOf("\r\n", i + 2)) {
        n++;
      }
    }
    return n;
  }

  private static long frame(LinkEncoder enc, LinkDecoder dec, ByteArrayOutputStream got)
      throws CodecFormatException {
    LinkEncoder.Frame f = enc.frame();
    f.add(1, Long.MAX_VALUE);
    if (f.streams().length == 0) {
      f.abandon();
      return 0;
    }
    byte[] p = f.commit();
    dec.decode(p, 0, p.length, (id, b, off, len) -> got.write(b, off, len));
    return p.length;
  }

  @ParameterizedTest
  @EnumSource(Family.class)
  void chunksCutAnywhereRoundTripAndCostAboutTheSame(Family f) throws Exception {
    CodecModel m = TrainedModels.small();
    long perEvent = 0;
    long cutAnywhere = 0;
    long cuts = 0;
    for (int n = 0; n < 3; n++) {
      FamilyStream s = stream(f, n);
      List<byte[]> whole = writes(s, new SplittableRandom(n), 0);
      perEvent += live(m, whole, new SplittableRandom(n), false);
      for (int maxPiece : new int[] {1, 7, 300}) {
        List<byte[]> w = writes(s, new SplittableRandom(n + maxPiece), maxPiece);
        live(m, w, new SplittableRandom(n), true);
        if (maxPiece == 300) {
          cutAnywhere += live(m, w, new SplittableRandom(n), false);
          cuts += chunks(w) - chunks(whole);
        }
      }
    }
    // Chunks of 1 to 300 bytes: each cut costs its length (random here: about a byte); nothing
    // else changes.
    assertThat(cutAnywhere)
        .as("%s: chunked anywhere vs per event, %d more chunks", f, cuts)
        .isLessThan(perEvent * 11 / 10 + cuts * 3 / 2);
  }
}
