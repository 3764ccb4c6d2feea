package dev.sluice.detect.fingerprint;

import static dev.sluice.detect.fingerprint.Streams.concat;
import static dev.sluice.detect.fingerprint.Streams.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.detect.format.DType;
import dev.sluice.detect.format.TensorRegion;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stream side of anchored segments ({@link AnchorLane}): the matches do not depend on how the
 * stream is cut into pieces (down to one byte), with every offset tested they are what a plain loop
 * over the whole stream finds, and runs of one byte or a repeated word are never anchors or never
 * indexed.
 */
class AnchorLaneTest {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  @TempDir Path dir;

  /** Random bytes, two slices of the real model (one of them twice in a row), random bytes. */
  private static byte[] stream(Random r) {
    IndexedModel m = IndexedModel.FP32;
    byte[][] slices = new byte[2][];
    for (int i = 0; i < 2; i++) {
      int start =
          (int) m.tensorsStart() + r.nextInt((int) (m.tensorsEnd() - m.tensorsStart()) - 300_000);
      slices[i] = Arrays.copyOfRange(m.bytes, start, start + 200_000 + r.nextInt(100_000));
    }
    return concat(
        random(r, r.nextInt(20_000)),
        slices[0],
        random(r, 5_000),
        slices[1],
        slices[1],
        random(r, r.nextInt(20_000)));
  }

  private static List<Match> feed(byte[] s, AnchorSampling sampling, Random pieces, int most) {
    FingerprintMatcher m = FingerprintMatcher.rawOnly(IndexedModel.FP32.index, sampling, x -> {});
    int at = 0;
    while (at < s.length) {
      int n = pieces == null ? s.length : Math.min(s.length - at, 1 + pieces.nextInt(most));
      m.feed(s, at, n);
      at += n;
    }
    m.end();
    return m.matches();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 8, 32})
  void theMatchesDoNotDependOnThePieces(int stride) {
    Random r = new Random(stride);
    int found = 0;
    for (int t = 0; t < 3; t++) {
      byte[] s = stream(r);
      AnchorSampling sampling = new AnchorSampling(stride, 1000 + t);
      List<Match> whole = feed(s, sampling, null, 0);
      found += whole.size();
      assertThat(feed(s, sampling, new Random(t), 16)).isEqualTo(whole);
      assertThat(feed(s, sampling, new Random(t), 3)).isEqualTo(whole);
      assertThat(feed(s, sampling, new Random(t), 70_000)).isEqualTo(whole);
    }
    assertThat(found).isPositive();
  }

  @Test
  void everyOffsetTestedFindsWhatAPlainLoopFinds() {
    Random r = new Random(11);
    for (int t = 0; t < 3; t++) {
      byte[] s = stream(r);
      List<Match> got = feed(s, AnchorSampling.EVERY_OFFSET, new Random(t), 9000);
      assertThat(got).isEqualTo(reference(s)).isNotEmpty();
    }
  }

  /** Every offset, a segment after each anchor, none tested inside a segment; runs merged. */
  private static List<Match> reference(byte[] s) {
    FingerprintIndex index = IndexedModel.FP32.index;
    AnchorParams p = (AnchorParams) index.scheme();
    List<Match> out = new ArrayList<>();
    long runFile = -1;
    long runShift = 0;
    for (int at = 0; at + p.segment() <= s.length; at++) {
      if (!p.isAnchor((long) LONGS.get(s, at))) {
        continue;
      }
      int e = index.find(ChunkHash.of(s, at, p.segment()));
      if (e >= 0) {
        long shift = at - index.offset(e);
        int file = index.files().indexOf(index.file(e));
        if (!out.isEmpty() && file == runFile && shift == runShift) {
          Match last = out.remove(out.size() - 1);
          out.add(last.extend(at + p.segment() - (last.streamOffset() + last.length())));
        } else {
          out.add(new Match("raw", at, p.segment(), index.file(e), index.offset(e)));
          runFile = file;
          runShift = shift;
        }
      }
      at += p.segment() - 1;
    }
    return out;
  }

  @Test
  void aSeedThatMakesARunOfOneByteAnAnchorIsRefused() {
    assertThatThrownBy(() -> new AnchorParams(13, 4096, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("byte 0x00 repeated an anchor");
    for (int c = 0; c < 256; c++) {
      assertThat(AnchorParams.DEFAULT.isAnchor((c & 0xFFL) * 0x0101010101010101L)).isFalse();
    }
  }

  @Test
  void aRepetitiveSegmentIsNotIndexed() throws IOException {
    Random r = new Random(5);
    long anchorWord;
    do {
      anchorWord = r.nextLong();
    } while (!AnchorParams.DEFAULT.isAnchor(anchorWord));
    byte[] word = new byte[8];
    LONGS.set(word, 0, anchorWord);
    byte[] padded = concat(word, new byte[8192]);
    byte[] data = concat(random(r, 100_000), padded, random(r, 100_000));
    Path f = dir.resolve("w.bin");
    Files.write(f, data);
    FingerprintIndexBuilder b = new FingerprintIndexBuilder(AnchorParams.DEFAULT);
    b.add(f, "w.bin", List.of(new TensorRegion(f, "w", 0, data.length, DType.UNKNOWN)), n -> {});
    FingerprintIndex index = b.build();
    assertThat(b.forcedChunks()).isEqualTo(1);
    assertThat(index.size()).isGreaterThan(10);
    for (int e = 0; e < index.size(); e++) {
      assertThat(index.offset(e)).isNotEqualTo(100_000L);
    }
    FingerprintMatcher m = FingerprintMatcher.of(index, x -> {});
    byte[] elsewhere = concat(random(r, 777), padded);
    m.feed(elsewhere, 0, elsewhere.length);
    m.end();
    assertThat(m.matches()).isEmpty();
  }
}
