package dev.sluice.detect.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.fingerprint.GearChunkerTest.Cut;
import dev.sluice.detect.format.fixtures.RealModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The chunker that finds its cut candidates with parallel chains ({@link GearCandidates}) cuts
 * exactly the chunks of the one-chain chunker it replaced ({@link ReferenceGearChunker}): same
 * starts, lengths, fingerprints and forced flags, on random bytes, on the real fp32 model, on
 * low-entropy data (runs of one byte, where every position or none is a candidate and chunks are
 * forced at max) and on text, each fed in random pieces (from 1 byte to several stretches), with
 * the default parameters and with random small ones (so the 63 bytes hashed one by one after the
 * restart, and avg and max, fall across pieces and stretches).
 */
class GearChunkerEquivalenceTest {

  private static final byte[] MODEL = model();

  private static byte[] model() {
    try {
      return java.nio.file.Files.readAllBytes(RealModels.fp32());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Property(tries = 60, seed = "1717")
  void theChunksAreThoseOfTheOneChainChunker(
      @ForAll("seeds") long seed,
      @ForAll @IntRange(min = 0, max = 3) int kind,
      @ForAll @IntRange(min = 0, max = 2) int pieceKind,
      @ForAll boolean defaultParams) {
    Random r = new Random(seed);
    byte[] data = data(kind, r);
    ChunkParams params = defaultParams ? ChunkParams.DEFAULT : smallParams(r);
    int maxPiece =
        switch (pieceKind) {
          case 0 -> 1 + r.nextInt(300);
          case 1 -> 1 + r.nextInt(40_000);
          default -> 1 + r.nextInt(200_000);
        };
    long pieceSeed = r.nextLong();

    List<Cut> expected = new ArrayList<>();
    ReferenceGearChunker reference =
        new ReferenceGearChunker(params, (s, l, f, x) -> expected.add(new Cut(s, l, f, x)));
    List<Cut> actual = new ArrayList<>();
    GearChunker chunker = new GearChunker(params, (s, l, f, x) -> actual.add(new Cut(s, l, f, x)));
    Random pieces = new Random(pieceSeed);
    for (int i = 0; i < data.length; ) {
      int n = Math.min(data.length - i, 1 + pieces.nextInt(maxPiece));
      reference.feed(data, i, n);
      chunker.feed(data, i, n);
      assertThat(chunker.position()).isEqualTo(reference.position());
      i += n;
    }
    reference.finish();
    chunker.finish();
    assertThat(actual).hasSizeGreaterThan(0).isEqualTo(expected);
  }

  /**
   * 0 random, 1 a slice of the real model, 2 runs of repeated bytes between random ones, 3 text.
   */
  private static byte[] data(int kind, Random r) {
    int n = 1 + r.nextInt(3 << 20);
    switch (kind) {
      case 0 -> {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
      }
      case 1 -> {
        int from = r.nextInt(MODEL.length - 1);
        return Arrays.copyOfRange(MODEL, from, Math.min(MODEL.length, from + n));
      }
      case 2 -> {
        byte[] b = new byte[n];
        for (int i = 0; i < n; ) {
          int run = Math.min(n - i, 1 + r.nextInt(300_000));
          if (r.nextBoolean()) {
            Arrays.fill(b, i, i + run, (byte) r.nextInt(256));
          } else {
            byte[] x = new byte[run];
            r.nextBytes(x);
            System.arraycopy(x, 0, b, i, run);
          }
          i += run;
        }
        return b;
      }
      default -> {
        String[] words = {"the ", "weights ", "of ", "a ", "model\n", "{\"id\": ", "42, ", "é "};
        StringBuilder s = new StringBuilder();
        while (s.length() < n) {
          s.append(words[r.nextInt(words.length)]);
        }
        return s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
    }
  }

  private static ChunkParams smallParams(Random r) {
    int avgBits = 7 + r.nextInt(8);
    int avg = 1 << avgBits;
    int min = 64 + r.nextInt(avg - 64);
    int max = avg + 1 + r.nextInt(8 * avg);
    return new ChunkParams(min, avg, max, r.nextInt(Math.min(3, avgBits)), r.nextLong());
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }
}
