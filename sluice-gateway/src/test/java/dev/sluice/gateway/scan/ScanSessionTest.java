package dev.sluice.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.tensor.TensorFinding;
import dev.sluice.detect.tensor.TensorScanner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A session with the tensor detector stages the stream in blocks of the scanner's grid: whatever
 * the pieces (direct buffers of 1 byte to 150 KiB), the tensor finding is the one the scanner makes
 * of the whole stream, and it is known no later than when a scanner fed the same pieces knows it.
 */
class ScanSessionTest {

  /** Text, then float32 values drawn like trained weights (normal, sd 0.05), then text. */
  private static byte[] stream(Random r) {
    byte[] text = RandomWeights.text(100_000 + r.nextInt(50_000), r.nextLong());
    ByteBuffer floats = ByteBuffer.allocate(400 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    while (floats.hasRemaining()) {
      floats.putFloat((float) (r.nextGaussian() * 0.05));
    }
    byte[] tail = RandomWeights.text(70_000, r.nextLong());
    byte[] out = new byte[text.length + floats.capacity() + tail.length];
    System.arraycopy(text, 0, out, 0, text.length);
    System.arraycopy(floats.array(), 0, out, text.length, floats.capacity());
    System.arraycopy(tail, 0, out, text.length + floats.capacity(), tail.length);
    return out;
  }

  /** Where a scanner fed the pieces as they come first reports a finding. */
  private static long direct(byte[] s, Random pieces, int most) {
    TensorScanner scanner =
        new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(2));
    int at = 0;
    while (at < s.length) {
      int n = Math.min(s.length - at, 1 + pieces.nextInt(most));
      scanner.update(s, at, n);
      at += n;
      if (!scanner.drain().isEmpty()) {
        return at;
      }
    }
    return s.length;
  }

  @Test
  void theTensorFindingDoesNotDependOnThePieces() {
    Random r = new Random(3);
    for (int t = 0; t < 4; t++) {
      byte[] s = stream(r);
      TensorScanner whole =
          new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(1));
      whole.update(s, 0, s.length);
      whole.finish();
      List<TensorFinding> expected = whole.drain();
      assertThat(expected).isNotEmpty();
      TensorFinding first = expected.get(0);
      for (int most : new int[] {1000, 70_000, 150_000}) {
        ScanSession session = new ScanSession(null, true, null, 8);
        Random pieces = new Random(t * 10L + most);
        List<Finding> got = new ArrayList<>();
        long knownAt = -1;
        int at = 0;
        while (at < s.length) {
          int n = Math.min(s.length - at, 1 + pieces.nextInt(most));
          ByteBuf b = Unpooled.directBuffer(n);
          b.writeBytes(s, at, n);
          session.feed(b);
          b.release();
          at += n;
          Finding f = session.poll();
          if (f != null) {
            got.add(f);
            knownAt = at;
          }
        }
        session.end();
        Finding f = session.poll();
        if (f != null) {
          got.add(f);
          knownAt = at;
        }
        assertThat(session.failed()).isNull();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).offset()).as("pieces up to " + most).isEqualTo(first.offset());
        assertThat(got.get(0).tensor().dtype()).isEqualTo(first.dtype());
        // no later than the scanner fed the same pieces directly (copying them) knows it
        assertThat(knownAt).isLessThanOrEqualTo(direct(s, new Random(t * 10L + most), most));
      }
    }
  }
}
