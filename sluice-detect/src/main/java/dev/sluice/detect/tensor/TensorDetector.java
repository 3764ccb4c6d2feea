package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The statistical detector of float tensor data (DESIGN section 9, issue 17): says which regions of
 * a byte range hold fp32, fp16 or bf16 weights, raw or base64/hex-encoded, from the statistics of
 * the byte positions alone, so it finds weights that were never indexed.
 *
 * <p>How: the range is cut into blocks of {@link #BLOCK} bytes (a tail shorter than {@link
 * #MIN_BYTES} joins the block before it). Each block is glanced at first ({@link Glance}: 1 KiB at
 * random places, which skips text, compressed bytes and zeros); for a block that passes, one pass
 * counts the bytes (20 KiB of 64, {@link #classify}) of the four lanes (position modulo 4, {@link
 * LaneHistogram}); the lanes' high-byte shapes ({@link ExponentShape}) name a layout or none
 * ({@link LayoutGuess}). A float block that is audio or unit-norm embeddings ({@link
 * LegitimateFloats}) is not reported; a reported block is trimmed to the 4 KiB pieces whose high
 * bytes are plausible at its ends. Blocks that are mostly base64 or hex text are searched for
 * encoded runs ({@link EncodedRuns}); each run is decoded and judged the same way, except that a
 * run that decodes to one unit-norm fp32 vector (an embeddings response) or may be such a vector
 * cut by the edge of the range is left alone. Runs too short to judge alone are pooled and judged
 * together.
 *
 * <p>What it does not report: int8, int4 and other quantized weights (their bytes are integers, not
 * floats: see {@code docs/detection.md}), ranges shorter than {@link #MIN_BYTES}, and weights
 * disguised as audio or embeddings (the fingerprint index's job). Never throws on any byte content
 * (a range outside the array is the caller's error); not thread-safe (one per thread: it reuses its
 * histogram).
 */
public final class TensorDetector {
  /** Bytes judged together. */
  public static final int BLOCK = 64 * 1024;

  /** The fewest bytes judged at all (and the trimming step). */
  public static final int MIN_BYTES = 4096;

  /** Decoded runs at most this long that may be cut at the range's edge may be embeddings. */
  private static final int MAX_CUT_VECTOR = 4096 * 4;

  /** Bytes of each of the four pieces sampled before a block is counted in full. */
  private static final int SAMPLE = 2048;

  /** Bytes counted of each 4 KiB of a block counted in full (besides the sampled pieces). */
  private static final int COUNTED = 1024;

  private final LaneHistogram histogram = new LaneHistogram();
  private final LegitimateFloats legitimate = new LegitimateFloats();
  private final SplittableRandom random;
  private boolean encodedText;

  /**
   * A detector whose first look at each block ({@link Glance}) is at places drawn from {@code
   * random}: give it a generator the sender cannot predict (the gateway's {@link TensorScanner}
   * does), or a seeded one for results that repeat.
   */
  public TensorDetector(SplittableRandom random) {
    this.random = random;
  }

  /** The findings in {@code b[off, off+len)}, offsets counted from {@code b[off]}. */
  public List<TensorFinding> scan(byte[] b, int off, int len) {
    return scan(b, off, len, 0);
  }

  /**
   * The findings in {@code b[off, off+len)}, where {@code position} is the stream position of
   * {@code b[off]}; the findings' offsets are stream positions, in order, adjacent ones merged.
   */
  public List<TensorFinding> scan(byte[] b, int off, int len, long position) {
    return scan(b, off, off, len, position);
  }

  /**
   * As {@link #scan(byte[], int, int, long)}, but a raw region found may be extended back into
   * {@code b[lookBack, off)}, bytes already scanned (the {@link TensorScanner}'s carry), so that a
   * tensor starting just before a window is reported from where it starts.
   */
  List<TensorFinding> scan(byte[] b, int lookBack, int off, int len, long position) {
    return scan(b, lookBack, off, len, position, null);
  }

  /**
   * As {@link #scan(byte[], int, int, int, long)}, where the blocks {@code k} with {@code
   * skipped[k]} (null: none) were judged already, in place ({@link TensorScanner}): no floats and
   * no encoded text ({@link Glance#mayMatter}), and neither end piece can look like weights ({@link
   * Glance#closed}). Their bytes in {@code b} are never read (they may be stale), and a region is
   * not extended into them, as {@link Trim} would have stopped at their end pieces anyway.
   */
  List<TensorFinding> scan(
      byte[] b, int lookBack, int off, int len, long position, boolean[] skipped) {
    List<TensorFinding> out = new ArrayList<>();
    if (len < MIN_BYTES) {
      return out;
    }
    int end = off + len;
    int blocks = Math.max(1, len / BLOCK + (len % BLOCK >= MIN_BYTES ? 1 : 0));
    FloatLayout[] layouts = new FloatLayout[blocks];
    boolean[] text = new boolean[blocks];
    boolean[] judged = new boolean[blocks];
    for (int k = 0; k < blocks; k++) {
      int start = off + k * BLOCK;
      int blockEnd = k == blocks - 1 ? end : start + BLOCK;
      judged[k] = skipped != null && k < skipped.length && skipped[k];
      if (!judged[k]) {
        layouts[k] = classify(b, start, blockEnd - start, position + (start - off));
        text[k] = layouts[k] == null && encodedText;
      }
    }
    int textFrom = -1;
    for (int k = 0; k <= blocks; k++) {
      int start = off + k * BLOCK;
      int blockEnd = k >= blocks - 1 ? end : start + BLOCK;
      FloatLayout f = k < blocks ? layouts[k] : null;
      if (f != null) {
        int lowest =
            out.isEmpty() ? lookBack : (int) (out.get(out.size() - 1).end() - position) + off;
        if (k > 0 && (layouts[k - 1] != null || judged[k - 1])) {
          lowest = start; // the block before is judged on its own, or closed at its end
        }
        int highest = k + 1 < blocks && (layouts[k + 1] != null || judged[k + 1]) ? blockEnd : end;
        for (int j = k - 2; j >= 0 && lowest < start; j--) {
          if (judged[j]) {
            lowest = Math.max(lowest, off + (j + 1) * BLOCK);
          }
        }
        for (int j = k + 2; j < blocks && highest > blockEnd; j++) {
          if (judged[j]) {
            highest = Math.min(highest, off + j * BLOCK);
          }
        }
        int[] span = Trim.span(b, off, position, start, blockEnd, lowest, highest, f);
        if (span != null) {
          long from = position + (span[0] - off);
          add(out, new TensorFinding(from, span[1] - span[0], f.dtype(), Carrier.RAW));
        }
      }
      boolean t = k < blocks && text[k];
      if (t && textFrom < 0) {
        textFrom = start;
      }
      if (!t && textFrom >= 0) {
        encoded(b, textFrom, k >= blocks ? end : start, off, end, position, out);
        textFrom = -1;
      }
    }
    out.sort(java.util.Comparator.comparingLong(TensorFinding::offset));
    return merge(out);
  }

  /**
   * The layout of the float weights {@code b[off, off+len)} holds, or null when it holds none (or
   * holds audio or embeddings); sets {@link #encodedText}. A block of at least 16 KiB is first
   * glanced at ({@link Glance}: 1 KiB at random places); when that shows no lane that could hold
   * float high bytes and no encoded text, the block is skipped: most egress (text, compressed,
   * encrypted, zeros) costs that glance. Otherwise four 2 KiB pieces at fixed places are counted,
   * and when they show no such lane either the block is skipped too; else the first 1 KiB of every
   * other 4 KiB is counted as well (the sampled pieces only once: a 64 KiB block's samples start on
   * that grid).
   */
  FloatLayout classify(byte[] b, int off, int len, long position) {
    if (len >= 8 * SAMPLE && !Glance.mayMatter(b, off, len, position, random)) {
      encodedText = false;
      return null;
    }
    histogram.clear();
    int step = len / 4;
    // the sampled pieces are pieces the full count reads when they start on its 4 KiB grid
    boolean reuse = step % (2 * SAMPLE) == 0;
    if (len >= 8 * SAMPLE) {
      for (int k = 0; k < 4; k++) {
        int at = off + step * k;
        histogram.add(b, at, SAMPLE, position + (at - off));
      }
      encodedText = encodedText();
      if (!encodedText && !LayoutGuess.mayHoldFloats(histogram)) {
        return null;
      }
      if (!reuse) {
        histogram.clear();
      }
      // half of every 4 KiB: 8K fp32 elements a block are plenty, and counting is the main cost
      for (int at = off; at < off + len; at += 2 * SAMPLE) {
        if (reuse && (at - off) % step == 0 && (at - off) / step < 4) {
          continue; // counted by the sample
        }
        histogram.add(b, at, Math.min(COUNTED, off + len - at), position + (at - off));
      }
    } else {
      histogram.add(b, off, len, position);
    }
    encodedText = encodedText();
    FloatLayout f = LayoutGuess.of(histogram);
    if (f == null || legitimate.test(b, off, len, position, f)) {
      return null;
    }
    return f;
  }

  /** Bytes counted into lane histograms so far (the detector's main cost; the glance is not). */
  long bytesCounted() {
    return histogram.added();
  }

  /** True when the histogram's bytes are mostly base64 or hex text (few spaces). */
  private boolean encodedText() {
    int n = histogram.total();
    int spaces = histogram.lane(0)[' '] + histogram.lane(1)[' '] + histogram.lane(2)[' '];
    spaces += histogram.lane(3)[' '];
    return histogram.countOf(EncodedRuns.BASE64) >= n / 2 && spaces < n / 50;
  }

  private void encoded(
      byte[] b, int from, int to, int off, int end, long position, List<TensorFinding> out) {
    Pool pool = new Pool();
    for (EncodedRuns.Run run : EncodedRuns.find(b, from, to)) {
      boolean cutStart = run.start() == off || run.cutStart();
      boolean cutEnd = run.end() == end || run.cutEnd();
      int phases = cutStart ? (run.hex() ? 2 : 4) : 1;
      for (int phase = 0; phase < phases; phase++) {
        byte[] d = EncodedRuns.decode(b, run, phase);
        if (embedding(d, cutStart || cutEnd)) {
          break;
        }
        if (d.length < MIN_BYTES) {
          if (phase == 0) {
            pool.add(run, d);
          }
          continue;
        }
        DType t = judge(d);
        if (t != null) {
          Carrier c = run.hex() ? Carrier.HEX : Carrier.BASE64;
          add(out, new TensorFinding(position + run.start() - off, run.end() - run.start(), t, c));
          break;
        }
      }
    }
    if (pool.size >= MIN_BYTES) {
      DType t = judge(java.util.Arrays.copyOf(pool.bytes, pool.size));
      if (t != null) {
        Carrier c = pool.hex ? Carrier.HEX : Carrier.BASE64;
        add(out, new TensorFinding(position + pool.from - off, pool.to - pool.from, t, c));
      }
    }
  }

  /** A single unit-norm fp32 vector, or one that may be cut by the range's edge. */
  private boolean embedding(byte[] d, boolean cut) {
    if (d.length % 4 != 0 && !cut) {
      return false;
    }
    int n = d.length / 4;
    if (n < 64) {
      return false;
    }
    if (cut && d.length <= MAX_CUT_VECTOR) {
      for (int a = 0; a < 4 && a + 4 * 64 <= d.length; a++) {
        if (legitimate.unitOrCut(d, a, (d.length - a) / 4, true)) {
          return true;
        }
      }
      return false;
    }
    return legitimate.unitOrCut(d, 0, n, false);
  }

  /** The dtype of the weights in decoded bytes (any block of them), or null. */
  private DType judge(byte[] d) {
    for (int start = 0; start < d.length; ) {
      int blockEnd = d.length - start < BLOCK + MIN_BYTES ? d.length : start + BLOCK;
      if (blockEnd - start >= MIN_BYTES) {
        FloatLayout f = classify(d, start, blockEnd - start, start);
        if (f != null) {
          return f.dtype();
        }
      }
      start = blockEnd;
    }
    return null;
  }

  private static void add(List<TensorFinding> out, TensorFinding f) {
    out.add(f);
  }

  private static List<TensorFinding> merge(List<TensorFinding> in) {
    List<TensorFinding> out = new ArrayList<>();
    for (TensorFinding f : in) {
      if (!out.isEmpty()) {
        TensorFinding last = out.get(out.size() - 1);
        if (last.end() >= f.offset()
            && last.dtype() == f.dtype()
            && last.carrier() == f.carrier()) {
          long end = Math.max(last.end(), f.end());
          out.set(
              out.size() - 1,
              new TensorFinding(last.offset(), end - last.offset(), f.dtype(), f.carrier()));
          continue;
        }
      }
      out.add(f);
    }
    return out;
  }

  /** Decoded runs too short to judge alone, judged together. */
  private static final class Pool {
    byte[] bytes = new byte[0];
    int size;
    int from = -1;
    int to;
    boolean hex;

    void add(EncodedRuns.Run run, byte[] d) {
      if (size + d.length > BLOCK * 2) {
        return;
      }
      if (bytes.length < size + d.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(2 * bytes.length, size + d.length));
      }
      System.arraycopy(d, 0, bytes, size, d.length);
      size += d.length;
      if (from < 0) {
        from = run.start();
        hex = run.hex();
      }
      to = run.end();
    }
  }
}
