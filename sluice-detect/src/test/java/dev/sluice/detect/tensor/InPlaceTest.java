package dev.sluice.detect.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.format.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * Blocks judged where they lie ({@link TensorScanner}): ordinary bytes in pieces on the block grid
 * are not copied, the findings are those of the same stream in pieces that are all copied, and a
 * piece {@link Glance#closed} says no region can enter never looks like weights to {@link Trim}.
 */
class InPlaceTest {
  private static final int BLOCK = TensorDetector.BLOCK;

  private static final List<FloatLayout> LAYOUTS =
      List.of(
          new FloatLayout(DType.F32, 0),
          new FloatLayout(DType.F32, 1),
          new FloatLayout(DType.F32, 2),
          new FloatLayout(DType.F32, 3),
          new FloatLayout(DType.BF16, 0),
          new FloatLayout(DType.BF16, 1),
          new FloatLayout(DType.F16, 0),
          new FloatLayout(DType.F16, 1));

  private static byte[] weights(DType t, int from, int n) {
    byte[] w =
        t == DType.F32
            ? WeightBytes.of(WeightBytes.MINILM, t)
            : WeightBytes.converted(WeightBytes.MINILM, t);
    return Arrays.copyOfRange(w, from, from + n);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** Feeds {@code data} in pieces of {@code piece} bytes after a first one of {@code first}. */
  private static List<TensorFinding> feed(TensorScanner s, byte[] data, int first, int piece) {
    if (piece <= 0) {
      throw new IllegalArgumentException("piece " + piece);
    }
    List<TensorFinding> found = new ArrayList<>();
    for (int i = 0; i < data.length; ) {
      int n = Math.min(data.length - i, i == 0 && first > 0 ? first : piece);
      s.update(data, i, n);
      found.addAll(s.drain());
      i += n;
    }
    s.finish();
    found.addAll(s.drain());
    return merge(found);
  }

  private static List<TensorFinding> merge(List<TensorFinding> in) {
    List<TensorFinding> out = new ArrayList<>();
    for (TensorFinding f : in) {
      TensorFinding last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last.end() == f.offset() && last.dtype() == f.dtype()) {
        out.set(
            out.size() - 1,
            new TensorFinding(last.offset(), f.end() - last.offset(), f.dtype(), f.carrier()));
      } else {
        out.add(f);
      }
    }
    return out;
  }

  private static byte[] ordinary() {
    return concat(
        Arrays.copyOf(Negatives.corpusText(), 4 << 20),
        Negatives.random(4 << 20, 41),
        new byte[4 << 20]);
  }

  @Test
  void ordinaryBytesInPiecesOnTheGridAreNotCopied() {
    byte[] data = ordinary();
    TensorScanner s = new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(42));
    assertThat(feed(s, data, 0, BLOCK)).isEmpty();
    assertThat(s.position()).isEqualTo(data.length);
    assertThat(s.bytesCopied()).isZero();
  }

  @Test
  void ofPiecesAcrossTheGridOnlyTheFirstFourKiBOfEachBlockIsCopied() {
    // a socket's reads: 64 KiB pieces that start 1,000 bytes into a block
    byte[] data = ordinary();
    TensorScanner s = new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(52));
    assertThat(feed(s, data, 1000, BLOCK)).isEmpty();
    assertThat(s.position()).isEqualTo(data.length);
    assertThat(s.bytesCopied()).isLessThanOrEqualTo((long) data.length / BLOCK * Trim.PIECE);
  }

  @Test
  void findsTheSameRegionsInPlaceAsCopied() {
    // weights start and end inside blocks next to text, random bytes and zeros
    byte[] data =
        concat(
            Arrays.copyOf(Negatives.corpusText(), 200 * 1024 + 5),
            weights(DType.F16, 1 << 20, 512 * 1024),
            Negatives.random(300 * 1024 + 3, 43),
            new byte[200 * 1024],
            weights(DType.BF16, 3 << 20, 256 * 1024 + 1),
            Arrays.copyOf(Negatives.corpusText(), 150 * 1024),
            weights(DType.F32, 5 << 20, 384 * 1024),
            new byte[256 * 1024]);
    TensorScanner inPlace =
        new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(44));
    TensorScanner across =
        new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(46));
    TensorScanner copied =
        new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(45));
    List<TensorFinding> a = feed(inPlace, data, 0, BLOCK);
    List<TensorFinding> c = feed(across, data, 7000, BLOCK);
    // pieces shorter than a piece of the trimming: no block is ever judged in place
    List<TensorFinding> b = feed(copied, data, 0, 3000);
    assertThat(inPlace.bytesCopied()).isLessThan(data.length - 10L * BLOCK);
    assertThat(across.bytesCopied()).isLessThan(data.length - 8L * BLOCK);
    assertThat(copied.bytesCopied()).isEqualTo(data.length);
    assertThat(a).isEqualTo(b);
    assertThat(c).isEqualTo(b);
    assertThat(a)
        .extracting(TensorFinding::dtype)
        .containsExactly(DType.F16, DType.BF16, DType.F32);
  }

  @Test
  void aRegionIsNotExtendedIntoTheStaleBytesOfABlockSkippedInPlace() {
    // the text block is skipped in place; the buffer still holds the weights of the window before
    byte[] text = Negatives.corpusText();
    byte[] data =
        concat(
            weights(DType.F32, 1 << 20, 2 * BLOCK),
            Arrays.copyOf(text, BLOCK),
            weights(DType.F32, 3 << 20, BLOCK),
            Arrays.copyOfRange(text, BLOCK, 3 * BLOCK));
    TensorScanner inPlace =
        new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(49));
    List<TensorFinding> a = feed(inPlace, data, 0, BLOCK);
    List<TensorFinding> b =
        feed(
            new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(50)),
            data,
            0,
            3000);
    assertThat(inPlace.bytesCopied()).isLessThan(data.length);
    assertThat(a).isEqualTo(b);
    assertThat(a).hasSize(2);
    assertThat(a.get(1).offset()).isEqualTo(3L * BLOCK);
  }

  @Property(tries = 300, seed = "47")
  void aClosedPieceNeverLooksLikeWeights(
      @ForAll @IntRange(min = 0, max = 5) int kind,
      @ForAll @IntRange(min = 0, max = 4095) int junkAt,
      @ForAll @IntRange(min = 0, max = 4096) int junkLen,
      @ForAll @IntRange(min = 0, max = 3) int phase,
      @ForAll @IntRange(min = 0, max = 2) int filler) {
    DType t = List.of(DType.F32, DType.F16, DType.BF16).get(kind % 3);
    byte[] piece = weights(t, (1 << 20) + kind * 4096 + phase, Trim.PIECE);
    byte[] junk =
        switch (filler) {
          case 0 -> Negatives.corpusText();
          case 1 -> Negatives.random(Trim.PIECE, junkAt);
          default -> new byte[Trim.PIECE];
        };
    // weights with a run of text, random bytes or zeros somewhere in them (or in every other byte)
    int end = Math.min(Trim.PIECE, junkAt + junkLen);
    for (int i = junkAt; i < end; i += kind >= 3 ? 2 : 1) {
      piece[i] = junk[i % junk.length];
    }
    long position = phase;
    boolean closed = Glance.closed(piece, 0, position);
    Statistics.label("closed").collect(closed);
    if (closed) {
      for (FloatLayout f : LAYOUTS) {
        assertThat(Trim.piece(piece, 0, position, 0, Trim.PIECE, f)).as(f.toString()).isFalse();
      }
    }
  }

  @Test
  void closesPiecesOfOrdinaryBytesAndNoPieceOfWeights() {
    byte[] text = Negatives.corpusText();
    byte[] random = Negatives.random(1 << 20, 48);
    byte[] zeros = new byte[1 << 20];
    for (int at = 0; at + Trim.PIECE <= (1 << 20); at += 64 * 1024 + 1) {
      assertThat(Glance.closed(text, at, at)).as("text at " + at).isTrue();
      assertThat(Glance.closed(random, at, at)).as("random at " + at).isTrue();
      assertThat(Glance.closed(zeros, at, at)).as("zeros at " + at).isTrue();
    }
    for (DType t : List.of(DType.F32, DType.F16, DType.BF16)) {
      byte[] w = weights(t, 1 << 20, 1 << 20);
      for (int at = 0; at + Trim.PIECE <= w.length; at += 64 * 1024 + 1) {
        assertThat(Glance.closed(w, at, at)).as(t + " at " + at).isFalse();
      }
    }
  }
}
