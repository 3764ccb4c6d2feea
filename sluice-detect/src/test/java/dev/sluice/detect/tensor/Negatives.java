package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Real bytes that are not weights, gathered at test time from what is on the machine and never
 * copied into the repository: the shared corpus of LLM answers (text and JSON; its README: internal
 * testing only), its gzip and zstd compressions, the jars and class files of the test classpath,
 * ELF binaries of /usr/bin, PNG/JPEG/GIF images and PDFs under /usr/share and /usr/lib, random
 * bytes (standing for encrypted), the model's floats printed as CSV, embeddings responses (see
 * {@link #embeddingRows}), and speech: the recorded voice prompts of alsa-utils and espeak-ng's
 * synthesis of corpus answers, as s16le WAV and as f32le PCM. A class whose source is absent on
 * this machine is empty (and the tests that need it say so).
 *
 * <p>Each class is one byte stream of at most {@link #CAP} bytes, to be cut into slices.
 */
final class Negatives {
  static final int CAP = 16 << 20;

  private Negatives() {}

  private static Map<String, byte[]> all;

  /** Class name to its bytes, in a fixed order (gathered once per JVM). */
  static synchronized Map<String, byte[]> all() {
    if (all == null) {
      all = java.util.Collections.unmodifiableMap(gather());
    }
    return all;
  }

  private static Map<String, byte[]> gather() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    byte[] text = corpusText();
    m.put("text: corpus answers (JSONL)", text);
    m.put("gzip: corpus .gz files", corpusGz());
    m.put("zstd -3: corpus", zstd(text));
    m.put("jars (test classpath)", jars());
    m.put("class files", classFiles());
    m.put("ELF: /usr/bin", elf());
    m.put("images: png/jpeg/gif", files(Path.of("/usr/share"), imageName(), 24 << 20));
    m.put("PDF", files(Path.of("/usr/share"), p -> p.endsWith(".pdf"), CAP));
    m.put(
        "shared libraries (.so)",
        files(Path.of("/usr/lib/x86_64-linux-gnu"), p -> p.matches(".*\\.so[.0-9]*$"), CAP));
    m.put(
        "fonts (.ttf/.otf)",
        files(Path.of("/usr/share/fonts"), p -> p.endsWith(".ttf") || p.endsWith(".otf"), CAP));
    m.put("Python bytecode (.pyc)", files(Path.of("/usr/lib"), p -> p.endsWith(".pyc"), CAP));
    m.put(
        "gettext catalogues (.mo)",
        files(Path.of("/usr/share/locale"), p -> p.endsWith(".mo"), CAP));
    m.put(
        "JDK jimage (lib/modules)",
        head(
            files(
                Path.of(System.getProperty("java.home"), "lib"), p -> p.endsWith("/modules"), CAP),
            CAP));
    m.put("databases (.db)", files(Path.of("/var/cache/man"), p -> p.endsWith(".db"), CAP));
    m.put("random (encrypted)", random(8 << 20, 1));
    m.put("CSV of floats", csv());
    byte[] emb = embeddingRows(WeightBytes.BGE, 384, 1);
    byte[] emb1536 = embeddingRows(WeightBytes.BGE, 1536, 4);
    m.put("embeddings f32 raw (384)", emb);
    m.put("embeddings f32 raw (1536)", emb1536);
    m.put("embeddings JSON base64 (1536)", embeddingsJson(emb1536, 1536, true));
    m.put("embeddings JSON base64 (384)", embeddingsJson(emb, 384, true));
    m.put("embeddings JSON numbers (384)", embeddingsJson(emb, 384, false));
    byte[] s16 = speechS16();
    m.put("speech s16le WAV", s16);
    m.put("speech f32le PCM", toF32(s16));
    m.put("speech WAV in JSON base64", jsonBase64("audio", s16, 256 << 10));
    m.put("random, base64", ascii(Base64.getEncoder().encode(random(6 << 20, 2))));
    m.put("random, hex", ascii(HexFormat.of().formatHex(random(4 << 20, 3))));
    m.put("ELF, base64", ascii(Base64.getMimeEncoder().encode(head(elf(), 6 << 20))));
    m.put(
        "images, base64",
        ascii(Base64.getEncoder().encode(head(m.get("images: png/jpeg/gif"), 6 << 20))));
    return m;
  }

  static byte[] head(byte[] b, int n) {
    return b.length <= n ? b : java.util.Arrays.copyOf(b, n);
  }

  private static byte[] ascii(byte[] b) {
    return b;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static Path corpusDir() {
    String p = System.getProperty("sluice.corpus.dir");
    if (p != null) {
      return Path.of(p);
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path c = d.resolve("shared/corpus");
      if (Files.isDirectory(c)) {
        return c;
      }
      Path s = d.resolveSibling("shared").resolve("corpus");
      if (Files.isDirectory(s)) {
        return s;
      }
    }
    return Path.of("../shared/corpus");
  }

  static byte[] corpusText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String f : List.of("arena-hard-answers.jsonl.gz", "alpaca-eval-outputs.jsonl.gz")) {
      Path p = corpusDir().resolve(f);
      if (!Files.isRegularFile(p)) {
        continue;
      }
      try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
        out.write(in.readNBytes(CAP / 2));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out.toByteArray();
  }

  private static byte[] corpusGz() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Stream<Path> s = Files.list(corpusDir())) {
      for (Path p : s.filter(x -> x.toString().endsWith(".gz")).sorted().toList()) {
        out.write(Files.readAllBytes(p));
      }
    } catch (IOException e) {
      return new byte[0];
    }
    return head(out.toByteArray(), CAP);
  }

  /** zstd -3 of {@code text} with the zstd command, if installed. */
  private static byte[] zstd(byte[] text) {
    if (!Files.isExecutable(Path.of("/usr/bin/zstd")) || text.length == 0) {
      return new byte[0];
    }
    return run(text, "/usr/bin/zstd", "-3", "-c", "-q");
  }

  static byte[] run(byte[] input, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      Thread feeder =
          new Thread(
              () -> {
                try (var o = p.getOutputStream()) {
                  o.write(input);
                } catch (IOException e) {
                  // the process exited early; its output says what it got
                }
              });
      feeder.start();
      byte[] out = p.getInputStream().readAllBytes();
      feeder.join();
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<Path> classpathJars() {
    List<Path> jars = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      // the model jars are compressed weights: a class of their own, not an ordinary file
      if (e.endsWith(".jar") && !e.contains("langchain4j-embeddings")) {
        jars.add(Path.of(e));
      }
    }
    jars.sort(Comparator.naturalOrder());
    return jars;
  }

  private static byte[] jars() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Path j : classpathJars()) {
      try {
        out.write(Files.readAllBytes(j));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (out.size() >= CAP) {
        break;
      }
    }
    return head(out.toByteArray(), CAP);
  }

  private static byte[] classFiles() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Path j : classpathJars()) {
      try (ZipInputStream z = new ZipInputStream(Files.newInputStream(j))) {
        for (ZipEntry e; (e = z.getNextEntry()) != null && out.size() < CAP; ) {
          if (e.getName().endsWith(".class")) {
            out.write(z.readAllBytes());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return head(out.toByteArray(), CAP);
  }

  private static byte[] elf() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Stream<Path> s = Files.list(Path.of("/usr/bin"))) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(p)) {
          if (in.readNBytes(head, 0, 4) < 4
              || head[0] != 0x7f
              || head[1] != 'E'
              || head[2] != 'L'
              || head[3] != 'F') {
            continue;
          }
        }
        out.write(Files.readAllBytes(p));
        if (out.size() >= CAP) {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return head(out.toByteArray(), CAP);
  }

  private static Predicate<String> imageName() {
    return p -> {
      String l = p.toLowerCase(Locale.ROOT);
      return l.endsWith(".png") || l.endsWith(".jpg") || l.endsWith(".jpeg") || l.endsWith(".gif");
    };
  }

  /** Files under {@code root} whose names match, in path order, up to {@code cap} bytes. */
  private static byte[] files(Path root, Predicate<String> name, int cap) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!Files.isDirectory(root)) {
      return new byte[0];
    }
    try (Stream<Path> s = Files.walk(root)) {
      List<Path> ps =
          s.filter(p -> name.test(p.toString())).filter(Files::isRegularFile).sorted().toList();
      for (Path p : ps) {
        out.write(Files.readAllBytes(p));
        if (out.size() >= cap) {
          break;
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // unreadable corners of /usr/share: what was read so far stands
    }
    return head(out.toByteArray(), cap);
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i += 8) {
      long v = r.nextLong();
      for (int k = 0; k < 8 && i + k < n; k++) {
        b[i + k] = (byte) (v >>> (8 * k));
      }
    }
    return b;
  }

  /** The held-out model's fp32 weights printed as CSV, 16 numbers a line. */
  private static byte[] csv() {
    ByteBuffer f = ByteBuffer.wrap(WeightBytes.of(WeightBytes.BGE, DType.F32));
    f.order(ByteOrder.LITTLE_ENDIAN);
    StringBuilder b = new StringBuilder();
    for (int i = 0; f.remaining() >= 4 && b.length() < CAP / 2; i++) {
      b.append(String.format(Locale.ROOT, "%.6f", f.getFloat()));
      b.append(i % 16 == 15 ? '\n' : ',');
    }
    return ascii(b.toString());
  }

  /**
   * Embedding vectors as an embeddings endpoint returns them: unit-norm fp32 vectors of dimension
   * {@code dim}. There is no ONNX runtime here to run the model, so each vector is built from the
   * model's own token-embedding matrix (the first tensor: 30522 rows of 384): the sum of {@code
   * rows} rows chosen at random (seeded) side by side ({@code dim = 384 * rows}), then normalized
   * in double and rounded to fp32 — a real sentence embedding is a normalized mean of such rows
   * after the transformer layers. The values are the model's own, so these are weights in all but
   * the unit norm and the fixed dimension, the hardest case for the detector.
   */
  static byte[] embeddingRows(String model, int dim, int rows) {
    ByteBuffer w = ByteBuffer.wrap(WeightBytes.of(model, DType.F32)).order(ByteOrder.LITTLE_ENDIAN);
    int vocab = 30522;
    SplittableRandom r = new SplittableRandom(7);
    int vectors = (8 << 20) / (4 * dim);
    ByteBuffer out = ByteBuffer.allocate(vectors * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
    double[] v = new double[dim];
    for (int k = 0; k < vectors; k++) {
      double norm = 0;
      for (int part = 0; part < rows; part++) {
        int a = r.nextInt(vocab);
        int b = r.nextInt(vocab);
        for (int j = 0; j < 384; j++) {
          v[part * 384 + j] = w.getFloat(4 * (a * 384 + j)) + w.getFloat(4 * (b * 384 + j));
        }
      }
      for (double x : v) {
        norm += x * x;
      }
      norm = Math.sqrt(norm);
      for (double x : v) {
        out.putFloat((float) (x / norm));
      }
    }
    return out.array();
  }

  /** OpenAI-style embeddings responses of 16 vectors each, base64 or JSON numbers. */
  static byte[] embeddingsJson(byte[] vectors, int dim, boolean base64) {
    StringBuilder b = new StringBuilder();
    ByteBuffer f = ByteBuffer.wrap(vectors).order(ByteOrder.LITTLE_ENDIAN);
    int n = vectors.length / (4 * dim);
    for (int k = 0; k < n && b.length() < CAP; k += 16) {
      b.append("{\"object\":\"list\",\"data\":[");
      for (int i = k; i < Math.min(n, k + 16); i++) {
        b.append(i > k ? "," : "").append("{\"object\":\"embedding\",\"index\":").append(i - k);
        b.append(",\"embedding\":");
        if (base64) {
          b.append('"');
          b.append(
              Base64.getEncoder()
                  .encodeToString(
                      java.util.Arrays.copyOfRange(vectors, 4 * i * dim, 4 * (i + 1) * dim)));
          b.append('"');
        } else {
          b.append('[');
          for (int j = 0; j < dim; j++) {
            b.append(j > 0 ? "," : "").append(f.getFloat(4 * (i * dim + j)));
          }
          b.append(']');
        }
        b.append('}');
      }
      b.append("],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":");
      b.append(40 + k % 97).append(",\"total_tokens\":").append(40 + k % 97).append("}}\n");
    }
    return ascii(b.toString());
  }

  /** {@code data} in chunks of {@code chunk} bytes, each as base64 in a JSON object. */
  static byte[] jsonBase64(String field, byte[] data, int chunk) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < data.length; i += chunk) {
      byte[] part = java.util.Arrays.copyOfRange(data, i, Math.min(data.length, i + chunk));
      b.append("{\"id\":\"audio_")
          .append(i)
          .append("\",\"")
          .append(field)
          .append("\":{\"data\":\"");
      b.append(Base64.getEncoder().encodeToString(part)).append("\",\"format\":\"wav\"}}\n");
    }
    return ascii(b.toString());
  }

  /**
   * Speech as s16le WAV files back to back: the voice prompts of alsa-utils (48 kHz recordings) and
   * espeak-ng reading corpus answers (22.05 kHz synthesis), when installed.
   */
  static byte[] speechS16() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Path alsa = Path.of("/usr/share/sounds/alsa");
    if (Files.isDirectory(alsa)) {
      try (Stream<Path> s = Files.list(alsa)) {
        for (Path p : s.filter(x -> x.toString().endsWith(".wav")).sorted().toList()) {
          if (!p.getFileName().toString().startsWith("Noise")) {
            out.write(Files.readAllBytes(p));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (Files.isExecutable(Path.of("/usr/bin/espeak-ng"))) {
      String text =
          new String(
              corpusText(), 0, Math.min(200_000, corpusText().length), StandardCharsets.UTF_8);
      StringBuilder words = new StringBuilder();
      for (String line : text.split("\n")) {
        int at = line.indexOf("\"answer\": \"");
        if (at >= 0) {
          words.append(line, at + 11, Math.min(line.length(), at + 11 + 600)).append(". ");
        }
        if (words.length() > 6000) {
          break;
        }
      }
      out.writeBytes(
          run(
              words.toString().getBytes(StandardCharsets.UTF_8),
              "/usr/bin/espeak-ng",
              "--stdin",
              "--stdout"));
    }
    return head(out.toByteArray(), CAP);
  }

  /** s16le samples (WAV headers included, read as samples too) to f32le in [-1, 1). */
  static byte[] toF32(byte[] s16) {
    ByteBuffer in = ByteBuffer.wrap(s16).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(s16.length / 2 * 4).order(ByteOrder.LITTLE_ENDIAN);
    while (in.remaining() >= 2) {
      out.putFloat(in.getShort() / 32768f);
    }
    return out.array();
  }
}
