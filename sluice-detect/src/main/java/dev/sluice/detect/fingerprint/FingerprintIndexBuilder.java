package dev.sluice.detect.fingerprint;

import dev.sluice.detect.format.TensorRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * Builds a {@link FingerprintIndex} from weight files, one file at a time. Each file is read once,
 * start to end: all its bytes go into its SHA-256, and the bytes of its tensor regions (in file
 * order, overlaps counted once, headers and gaps left out) are one stream, so that small tensors
 * still hold anchors (or make chunks): every anchor's segment ({@link AnchorIndexer}) or every
 * content-defined chunk ({@link GearChunker}) of it is fingerprinted. An entry's source is the file
 * offset of its first byte. Repetitive segments and chunks cut at the maximum size (zeros, repeated
 * patterns) are left out, and of equal fingerprints only the first is kept.
 */
public final class FingerprintIndexBuilder {

  private static final int READ = 1 << 20;

  private final IndexScheme scheme;
  private final List<SourceFile> files = new ArrayList<>();
  private long[] keys = new long[1024];
  private long[] locations = new long[1024];
  private int count;
  private long forcedChunks;

  public FingerprintIndexBuilder(IndexScheme scheme) {
    this.scheme = Objects.requireNonNull(scheme, "scheme");
  }

  /**
   * Segments (or chunks) left out so far: repetitive segments after an anchor, chunks cut at the
   * maximum size.
   */
  public long forcedChunks() {
    return forcedChunks;
  }

  /** Segments (or chunks) kept so far (before duplicates are dropped). */
  public long chunks() {
    return count;
  }

  /**
   * Reads {@code file} and fingerprints the bytes of {@code regions} (all of which must lie in it).
   *
   * @param name how the index names the file
   * @param progress told the number of bytes read after each read
   * @return what the index records of the file
   * @throws IOException when the file cannot be read, or is shorter than a region says
   */
  public SourceFile add(Path file, String name, List<TensorRegion> regions, LongConsumer progress)
      throws IOException {
    if (files.size() == FingerprintIndex.MAX_FILES) {
      throw new IllegalStateException(
          "an index holds at most " + FingerprintIndex.MAX_FILES + " files");
    }
    int fileNumber = files.size();
    long[][] spans = spans(file, regions);
    long[] concatStarts = new long[spans.length];
    long total = 0;
    for (int r = 0; r < spans.length; r++) {
      concatStarts[r] = total;
      total += spans[r][1] - spans[r][0];
    }
    ChunkSink sink =
        (start, length, fingerprint, forced) -> {
          if (forced) {
            forcedChunks++;
            return;
          }
          int r = Arrays.binarySearch(concatStarts, start);
          if (r < 0) {
            r = -r - 2;
          }
          long offset = spans[r][0] + (start - concatStarts[r]);
          append(fingerprint, FingerprintIndex.location(fileNumber, offset));
        };
    Cutter chunker = cutter(sink);
    MessageDigest sha = sha256();
    ByteBuffer buf = ByteBuffer.allocate(READ);
    long pos = 0;
    int region = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > FingerprintIndex.MAX_OFFSET) {
        throw new IOException(file + ": larger than an index can address (" + size + " bytes)");
      }
      while (true) {
        buf.clear();
        int n = ch.read(buf);
        if (n < 0) {
          break;
        }
        byte[] a = buf.array();
        sha.update(a, 0, n);
        long end = pos + n;
        while (region < spans.length && spans[region][0] < end) {
          long from = Math.max(pos, spans[region][0]);
          long to = Math.min(end, spans[region][1]);
          if (to > from) {
            chunker.feed(a, (int) (from - pos), (int) (to - from));
          }
          if (spans[region][1] <= end) {
            region++;
          } else {
            break;
          }
        }
        pos = end;
        progress.accept(n);
      }
      if (region < spans.length) {
        throw new IOException(
            file
                + ", byte "
                + pos
                + ": file ends inside tensor region "
                + spansName(regions, spans[region]));
      }
      chunker.finish();
    }
    SourceFile source = new SourceFile(name, pos, sha.digest(), regions.size(), total);
    files.add(source);
    return source;
  }

  private Cutter cutter(ChunkSink sink) {
    return scheme instanceof AnchorParams anchors
        ? new AnchorIndexer(anchors, sink)
        : new GearChunker((ChunkParams) scheme, sink);
  }

  private static String spansName(List<TensorRegion> regions, long[] span) {
    for (TensorRegion r : regions) {
      if (r.offset() <= span[0] && span[0] < r.end()) {
        return r.name() + " [" + r.offset() + ", " + r.end() + ")";
      }
    }
    return "[" + span[0] + ", " + span[1] + ")";
  }

  /** The regions' byte ranges in file order, overlapping or touching ranges merged. */
  private static long[][] spans(Path file, List<TensorRegion> regions) {
    List<TensorRegion> sorted = new ArrayList<>(regions);
    sorted.sort(Comparator.comparingLong(TensorRegion::offset));
    List<long[]> out = new ArrayList<>();
    for (TensorRegion r : sorted) {
      if (!r.file().equals(file)) {
        throw new IllegalArgumentException(
            "tensor " + r.name() + " lies in " + r.file() + ", not " + file);
      }
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && r.offset() <= last[1]) {
        last[1] = Math.max(last[1], r.end());
      } else {
        out.add(new long[] {r.offset(), r.end()});
      }
    }
    return out.toArray(new long[0][]);
  }

  private void append(long key, long location) {
    if (count == keys.length) {
      int grown = (int) Math.min(Integer.MAX_VALUE - 8, keys.length * 2L);
      if (grown == count) {
        throw new IllegalStateException("more than " + count + " chunks in one index");
      }
      keys = Arrays.copyOf(keys, grown);
      locations = Arrays.copyOf(locations, grown);
    }
    keys[count] = key;
    locations[count] = location;
    count++;
  }

  /** The index of every file added so far. */
  public FingerprintIndex build() {
    long[] k = Arrays.copyOf(keys, count);
    long[] l = Arrays.copyOf(locations, count);
    PairSort.sortUnsigned(k, l);
    int n = 0;
    for (int i = 0; i < k.length; i++) {
      if (n == 0 || k[i] != k[n - 1]) {
        k[n] = k[i];
        l[n] = l[i];
        n++;
      } else if (Long.compareUnsigned(l[i], l[n - 1]) < 0) {
        l[n - 1] = l[i];
      }
    }
    return new FingerprintIndex(scheme, files, Arrays.copyOf(k, n), Arrays.copyOf(l, n));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }
}
