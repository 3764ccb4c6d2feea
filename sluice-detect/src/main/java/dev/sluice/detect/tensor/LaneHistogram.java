package dev.sluice.detect.tensor;

/**
 * Byte histograms of the four lanes of a byte range: lane {@code k} counts the bytes whose stream
 * position is {@code k} modulo 4. One pass, four separate tables (so consecutive increments do not
 * wait on one another). The lanes of a 2-byte type are lanes {@code p} and {@code p + 2} together.
 */
final class LaneHistogram {
  private final int[][] lanes = new int[4][256];
  private final int[] laneTotals = new int[4];
  private int total;
  private long added;

  void clear() {
    for (int[] lane : lanes) {
      java.util.Arrays.fill(lane, 0);
    }
    java.util.Arrays.fill(laneTotals, 0);
    total = 0;
  }

  /**
   * Adds {@code len} bytes of {@code b} from {@code off}; {@code position} is the stream position
   * of {@code b[off]}, which fixes its lane.
   */
  void add(byte[] b, int off, int len, long position) {
    int[] l0 = lanes[0];
    int[] l1 = lanes[1];
    int[] l2 = lanes[2];
    int[] l3 = lanes[3];
    int i = off;
    int end = off + len;
    int lane = (int) (position & 3);
    while (i < end && lane != 0) {
      lanes[lane][b[i] & 0xff]++;
      i++;
      lane = (lane + 1) & 3;
    }
    int quads = end - 3;
    for (; i < quads; i += 4) {
      l0[b[i] & 0xff]++;
      l1[b[i + 1] & 0xff]++;
      l2[b[i + 2] & 0xff]++;
      l3[b[i + 3] & 0xff]++;
    }
    for (lane = 0; i < end; i++, lane++) {
      lanes[lane][b[i] & 0xff]++;
    }
    total += len;
    added += len;
    int first = (int) (position & 3);
    for (int k = 0; k < 4; k++) {
      // bytes i of [0, len) with (first + i) % 4 == k: i = r, r + 4, ...
      int r = (k - first) & 3;
      laneTotals[k] += (len + 3 - r) >> 2;
    }
  }

  /** The counts of lane {@code k} (0..3); the array is live, not a copy. */
  int[] lane(int k) {
    return lanes[k];
  }

  /** Bytes of lane {@code k} added since the last {@link #clear()}. */
  int laneTotal(int k) {
    return laneTotals[k];
  }

  /** Bytes added since this histogram was made, clears or not (what counting has cost). */
  long added() {
    return added;
  }

  /** Bytes added since the last {@link #clear()}. */
  int total() {
    return total;
  }

  /** How many bytes of all lanes have a value whose entry in {@code set} is true. */
  int countOf(boolean[] set) {
    int n = 0;
    for (int v = 0; v < 256; v++) {
      if (set[v]) {
        n += lanes[0][v] + lanes[1][v] + lanes[2][v] + lanes[3][v];
      }
    }
    return n;
  }
}
