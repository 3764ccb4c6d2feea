package dev.sluice.bench;

import dev.sluice.codec.CodecFormatException;
import dev.sluice.codec.CodecModel;
import dev.sluice.codec.LinkDecoder;
import dev.sluice.codec.LinkEncoder;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.HeldOut;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.openjdk.jol.info.GraphLayout;

/**
 * The codec's memory per open stream (issue 13: at most 256 KB), counted, not sampled: for each
 * family, one {@link LinkEncoder} and one {@link LinkDecoder} (the built-in model) carry {@code N}
 * held-out Arena-Hard answers framed as that family's server writes them, all open at once, each
 * written whole in 16 KiB writes with a frame after each (as a gateway forwards a busy stream), and
 * decoded from those frames. JOL walks everything reachable from the encoder (and the decoder) with
 * one stream open and with {@code N}; the difference over {@code N - 1} is the bytes each further
 * stream holds: its models, tables, history and buffers. What every stream shares (the model's
 * tables, the vocabularies) is in both walks and cancels out; it is reported on its own.
 *
 * <pre>
 * java -cp sluice-bench/target/benchmarks.jar dev.sluice.bench.CodecMemory [CORPUS_DIR] [N]
 * </pre>
 */
public final class CodecMemory {

  private static final int WRITE = 16 << 10;

  private CodecMemory() {}

  public static void main(String[] args) throws IOException, CodecFormatException {
    // Records (the model's parts) have no field offsets through Unsafe: JOL finds them itself.
    System.setProperty("jol.magicFieldOffset", "true");
    Path corpus = Path.of(args.length > 0 ? args[0] : "../shared/corpus");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    CodecModel model = CodecModel.builtIn();
    List<String> texts = new ArrayList<>();
    for (HeldOut.Answer a : HeldOut.read(corpus.resolve(HeldOut.ARENA_HARD))) {
      if (HeldOut.heldOutPrompt(a.prompt())) {
        texts.add(a.text());
      }
    }
    long shared = GraphLayout.parseInstance(model).totalSize();
    System.out.printf(
        Locale.ROOT,
        "built-in model %s: %,d bytes shared by every stream of a process (tables, APM,"
            + " dictionary, library)%n",
        hex(model.id()),
        shared);
    System.out.printf(
        Locale.ROOT, "%d streams open at once per link; KB (1024 bytes) per open stream%n%n", n);
    System.out.println("| family | encoder | decoder | mean stream (bytes) |");
    System.out.println("|---|---:|---:|---:|");
    long worst = 0;
    for (Family f : Family.values()) {
      SplittableRandom rnd = new SplittableRandom(20261206);
      List<byte[]> streams = new ArrayList<>();
      long total = 0;
      for (int i = 0; i < n; i++) {
        byte[] s =
            f.build(texts.get(i % texts.size()), Tokenizer.o200k(), rnd, SampleOptions.defaults())
                .body();
        streams.add(s);
        total += s.length;
      }
      long[] enc = new long[2];
      long[] dec = new long[2];
      measure(model, streams, 1, enc, dec, 0);
      measure(model, streams, n, enc, dec, 1);
      long perEnc = (enc[1] - enc[0]) / (n - 1);
      long perDec = (dec[1] - dec[0]) / (n - 1);
      worst = Math.max(worst, Math.max(perEnc, perDec));
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f | %.0f | %,d |%n",
          f.id(),
          perEnc / 1024.0,
          perDec / 1024.0,
          total / n);
    }
    System.out.printf(Locale.ROOT, "%nlargest: %.0f KB per open stream%n", worst / 1024.0);
  }

  /** Codes the first {@code k} streams on one link, all open; records both sides' sizes. */
  private static void measure(
      CodecModel model, List<byte[]> streams, int k, long[] enc, long[] dec, int slot)
      throws CodecFormatException {
    LinkEncoder e = new LinkEncoder(model);
    LinkDecoder d = new LinkDecoder(model);
    for (int id = 0; id < k; id++) {
      e.open(id);
      d.open(id);
    }
    long[] decoded = new long[k];
    for (int id = 0; id < k; id++) {
      byte[] s = streams.get(id);
      int off = 0;
      while (off < s.length) {
        off += e.write(id, s, off, Math.min(WRITE, s.length - off));
        LinkEncoder.Frame fr = e.frame();
        fr.add(id, Long.MAX_VALUE);
        byte[] p = fr.commit();
        d.decode(p, 0, p.length, (sid, b, o, len) -> decoded[sid] += len);
      }
      if (decoded[id] != s.length) {
        throw new IllegalStateException("stream " + id + " decoded " + decoded[id] + " bytes");
      }
    }
    enc[slot] = GraphLayout.parseInstance(e).totalSize();
    dec[slot] = GraphLayout.parseInstance(d).totalSize();
  }

  private static String hex(byte[] id) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      sb.append(String.format("%02x", id[i]));
    }
    return sb.append('…').toString();
  }
}
