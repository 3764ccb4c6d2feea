package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Cuts a byte stream into slices of {@link #SLICE} bytes at seeded random offsets (any byte
 * alignment): one slice per {@code SLICE} bytes of the stream, the k-th starting at a random point
 * of the k-th stretch, so slices cover the whole stream and rarely overlap.
 */
final class Slices {
  static final int SLICE = 128 * 1024;

  private Slices() {}

  /** Offsets of the slices of a stream of {@code n} bytes; {@code limit} caps how many (seeded). */
  static List<Integer> offsets(int n, long seed, int limit) {
    List<Integer> all = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(seed);
    for (long k = 0; (k + 1) * SLICE <= n; k++) {
      int room = (int) Math.min(SLICE, n - (k + 1) * SLICE + 1);
      all.add((int) (k * SLICE + r.nextInt(room)));
    }
    while (all.size() > limit) {
      all.remove(r.nextInt(all.size()));
    }
    return all;
  }

  /** How many slices of {@code data} the detector flags, and the dtypes it named. */
  record Tally(int slices, int flagged, int[] byType) {
    double rate() {
      return slices == 0 ? 0 : (double) flagged / slices;
    }

    String types() {
      return String.format("f32=%d f16=%d bf16=%d", byType[0], byType[1], byType[2]);
    }
  }

  static Tally tally(byte[] data, long seed, int limit) {
    TensorDetector d = new TensorDetector(new SplittableRandom(17));
    int flagged = 0;
    int[] byType = new int[3];
    List<Integer> offs = offsets(data.length, seed, limit);
    for (int off : offs) {
      List<TensorFinding> f = d.scan(data, off, SLICE);
      if (!f.isEmpty()) {
        flagged++;
        DType t = f.get(0).dtype();
        byType[t == DType.F32 ? 0 : t == DType.F16 ? 1 : 2]++;
      }
    }
    return new Tally(offs.size(), flagged, byType);
  }
}
