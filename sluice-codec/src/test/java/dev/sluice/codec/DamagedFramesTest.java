package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A damaged or truncated frame payload (the link's CRC or TLS would have caught it; this is the
 * codec's own defence) is refused with a {@link CodecFormatException} naming an offset, or decodes
 * to some bytes within the bounds of a section: never another exception, never unbounded output.
 */
class DamagedFramesTest {

  private static List<byte[]> frames(int family, int answer) {
    Family f = Family.values()[family % Family.values().length];
    String text = TrainedModels.heldOut().get(answer % TrainedModels.heldOut().size()).text();
    FamilyStream s =
        f.build(text, Tokenizer.o200k(), new SplittableRandom(answer), SampleOptions.defaults());
    LinkEncoder enc = new LinkEncoder(TrainedModels.small());
    enc.open(7);
    List<byte[]> out = new ArrayList<>();
    for (byte[] w : s.writes()) {
      enc.write(7, w, 0, w.length);
      if (out.size() < 40 || enc.pending(7) > 4096) {
        LinkEncoder.Frame fr = enc.frame();
        fr.add(7, Long.MAX_VALUE);
        out.add(fr.commit());
      }
    }
    return out;
  }

  @Property(seed = "20261206", tries = 300)
  void aDamagedFrameIsRefusedOrStaysInBounds(
      @ForAll @IntRange(min = 0, max = 11) int family,
      @ForAll @IntRange(min = 0, max = 50) int answer,
      @ForAll @IntRange(min = 0, max = 1000) int which,
      @ForAll @IntRange(min = 0, max = 1 << 20) int at,
      @ForAll @IntRange(min = 0, max = 7) int bit,
      @ForAll boolean truncate) {
    List<byte[]> frames = frames(family, answer);
    int k = which % frames.size();
    LinkDecoder dec = new LinkDecoder(TrainedModels.small());
    dec.open(7);
    long[] total = {0};
    try {
      for (int i = 0; i < k; i++) {
        byte[] p = frames.get(i);
        dec.decode(p, 0, p.length, (id, b, off, len) -> total[0] += len);
      }
      byte[] bad = frames.get(k).clone();
      int pos = at % bad.length;
      if (truncate) {
        bad = java.util.Arrays.copyOf(bad, pos);
      } else {
        bad[pos] ^= (byte) (1 << bit);
      }
      long before = total[0];
      dec.decode(bad, 0, bad.length, (id, b, off, len) -> total[0] += len);
      assertThat(total[0] - before).isLessThanOrEqualTo(StreamCodec.MAX_SECTION_OUTPUT);
    } catch (CodecFormatException e) {
      assertThat(e.getMessage()).startsWith("codec segment, byte ");
      assertThat(e.offset()).isGreaterThanOrEqualTo(0);
    }
  }
}
