package dev.sluice.detect.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A match is declared while the stream is still flowing: when the listener hears of it, the bytes
 * fed since the matched segment started are at most one segment (4 KiB) and the piece being fed, so
 * a stage holding back that much can stop the segment before it leaves; and the first match comes
 * early in the slice (after the first anchor the matcher tests).
 */
class MatcherEarlyTest {

  static final int PIECE = 4096;

  @Test
  void theFirstMatchIsHeardWithinOneChunkOfItsStart() {
    IndexedModel m = IndexedModel.FP32;
    Random r = new Random(99);
    for (int t = 0; t < 16; t++) {
      long start =
          m.tensorsStart() + r.nextInt((int) (m.tensorsEnd() - m.tensorsStart()) - (1 << 20));
      byte[] before = new byte[r.nextInt(100_000)];
      r.nextBytes(before);
      byte[] slice = Arrays.copyOfRange(m.bytes, (int) start, (int) start + (1 << 20));
      byte[] stream = Streams.concat(before, slice);
      List<long[]> heard = new ArrayList<>();
      FingerprintMatcher[] holder = new FingerprintMatcher[1];
      holder[0] =
          FingerprintMatcher.of(
              m.index, x -> heard.add(new long[] {x.streamOffset(), holder[0].position() + PIECE}));
      for (int i = 0; i < stream.length && heard.isEmpty(); i += PIECE) {
        holder[0].feed(stream, i, Math.min(PIECE, stream.length - i));
      }
      assertThat(heard).isNotEmpty();
      long chunkStart = heard.get(0)[0];
      long fedWhenHeard = heard.get(0)[1];
      assertThat(chunkStart).isGreaterThanOrEqualTo(before.length);
      assertThat(fedWhenHeard - chunkStart).isLessThanOrEqualTo(m.index.scheme().maxSpan() + PIECE);
      assertThat(chunkStart - before.length).isLessThan(256 << 10);
    }
  }
}
