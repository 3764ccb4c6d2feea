package dev.sluice.detect.fingerprint;

/**
 * Sorts two parallel {@code long[]} by the first, compared as unsigned, in place: an LSD radix sort
 * by 16-bit digits would need two more arrays of the same size, which for a 100 M-chunk index is
 * 1.6 GB; this quicksort (median of three, insertion sort below 32, recursion on the smaller side)
 * needs none. Fingerprints are uniformly distributed, so the bad cases of quicksort do not occur.
 */
final class PairSort {

  private PairSort() {}

  static void sortUnsigned(long[] keys, long[] values) {
    sort(keys, values, 0, keys.length - 1);
  }

  private static void sort(long[] k, long[] v, int lo, int hi) {
    while (hi - lo >= 32) {
      int mid = (lo + hi) >>> 1;
      if (less(k[mid], k[lo])) {
        swap(k, v, mid, lo);
      }
      if (less(k[hi], k[lo])) {
        swap(k, v, hi, lo);
      }
      if (less(k[hi], k[mid])) {
        swap(k, v, hi, mid);
      }
      long pivot = k[mid];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (less(k[i], pivot)) {
          i++;
        }
        while (less(pivot, k[j])) {
          j--;
        }
        if (i <= j) {
          swap(k, v, i, j);
          i++;
          j--;
        }
      }
      if (j - lo < hi - i) {
        sort(k, v, lo, j);
        lo = i;
      } else {
        sort(k, v, i, hi);
        hi = j;
      }
    }
    for (int i = lo + 1; i <= hi; i++) {
      long key = k[i];
      long value = v[i];
      int j = i - 1;
      while (j >= lo && less(key, k[j])) {
        k[j + 1] = k[j];
        v[j + 1] = v[j];
        j--;
      }
      k[j + 1] = key;
      v[j + 1] = value;
    }
  }

  private static boolean less(long a, long b) {
    return (a ^ Long.MIN_VALUE) < (b ^ Long.MIN_VALUE);
  }

  private static void swap(long[] k, long[] v, int a, int b) {
    long t = k[a];
    k[a] = k[b];
    k[b] = t;
    t = v[a];
    v[a] = v[b];
    v[b] = t;
  }
}
