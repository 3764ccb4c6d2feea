package dev.sluice.detect.fingerprint;

import java.util.List;
import java.util.Objects;

/**
 * Fingerprints of indexed weight files (of the segment after each anchor, {@link AnchorParams}, or
 * of each content-defined chunk, {@link ChunkParams}), each with where its bytes came from: the
 * fingerprints sorted as unsigned 64-bit integers in one {@code long[]}, the sources (file number
 * in the top 16 bits, offset in the file in the low 48) in a parallel {@code long[]}: 16 bytes per
 * entry, so with the default anchors (one per 8 KiB) 2 GiB per TiB of tensor bytes (an 810 GB
 * model: about 1.5 GiB), with version 1's default chunks (19.2 KB on average) about 830 MB per TB.
 * A directory of the first entry for each value of the top bits (built on load, at most 2 bytes per
 * entry) makes a lookup one short binary search. Immutable and safe to share between threads. The
 * file format is {@link FingerprintIndexFile}'s.
 */
public final class FingerprintIndex {

  /** Most source files an index can name (the file number takes 16 bits). */
  public static final int MAX_FILES = 1 << 16;

  /** Largest offset in a source file that a location can hold (48 bits). */
  public static final long MAX_OFFSET = (1L << 48) - 1;

  private final IndexScheme scheme;
  private final List<SourceFile> files;
  private final long[] keys;
  private final long[] locations;
  private final int shift;
  private final int[] directory;

  /**
   * @param keys fingerprints sorted ascending as unsigned, without duplicates
   * @param locations {@code keys[i]}'s source, {@link #location(int, long)}
   */
  FingerprintIndex(IndexScheme scheme, List<SourceFile> files, long[] keys, long[] locations) {
    this.scheme = Objects.requireNonNull(scheme, "scheme");
    this.files = List.copyOf(files);
    if (keys.length != locations.length) {
      throw new IllegalArgumentException("keys and locations differ in length");
    }
    this.keys = keys;
    this.locations = locations;
    int bits =
        Math.max(1, Math.min(24, 64 - Long.numberOfLeadingZeros(Math.max(1, keys.length / 4))));
    this.shift = 64 - bits;
    this.directory = new int[(1 << bits) + 1];
    int e = 0;
    for (int bucket = 0; bucket < (1 << bits); bucket++) {
      directory[bucket] = e;
      while (e < keys.length && (int) (keys[e] >>> shift) == bucket) {
        e++;
      }
    }
    directory[1 << bits] = keys.length;
  }

  static long location(int file, long offset) {
    return ((long) file << 48) | offset;
  }

  /** How the index picked what it fingerprinted, which its matchers follow. */
  public IndexScheme scheme() {
    return scheme;
  }

  public List<SourceFile> files() {
    return files;
  }

  /** Number of segments (or chunks) indexed. */
  public int size() {
    return keys.length;
  }

  /** Bytes of memory the entries take (16 per entry, plus the directory). */
  public long memoryBytes() {
    return 16L * keys.length + 4L * directory.length;
  }

  /** The entry holding {@code fingerprint}, or -1. */
  public int find(long fingerprint) {
    int bucket = (int) (fingerprint >>> shift);
    int lo = directory[bucket];
    int hi = directory[bucket + 1] - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compareUnsigned(keys[mid], fingerprint);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  /** The source file of entry {@code entry}. */
  public SourceFile file(int entry) {
    return files.get((int) (locations[entry] >>> 48));
  }

  /** Offset in its source file of entry {@code entry}'s chunk. */
  public long offset(int entry) {
    return locations[entry] & MAX_OFFSET;
  }

  long key(int entry) {
    return keys[entry];
  }

  long rawLocation(int entry) {
    return locations[entry];
  }
}
