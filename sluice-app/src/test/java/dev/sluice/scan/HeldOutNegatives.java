package dev.sluice.scan;

import dev.sluice.detect.format.fixtures.WeightTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Real bytes that are not weights, gathered on this machine at run time and held out from the
 * detector's own tests. {@code sluice-detect}'s {@code Negatives} reads the shared corpus,
 * /usr/bin, images and PDFs under /usr/share, the classpath jars, shared libraries of
 * /usr/lib/x86_64-linux-gnu, fonts of /usr/share/fonts, .pyc files and gettext catalogues under
 * /usr/lib and /usr/share/locale, the head of the running JDK's module image, man-db databases, the
 * alsa-utils voice prompts and espeak-ng reading corpus answers; none of those is read here. Here:
 * Python sources and bytecode (pyenv), the Rust toolchain's HTML documentation and woff2 fonts,
 * JSON files, man pages, the gzip files of /usr/share/doc, Debian packages, Maven plugin jars,
 * shared libraries of pyenv, rustup and the Temurin 25 JDK, the middle of that JDK's module image,
 * the images of the Python/Rust/Google Cloud SDK trees, the Python test suite's audio files,
 * espeak-ng speech in four voices reading this repository's docs, embeddings responses built from
 * the held-out e5 model's rows, numbers as text, AES-encrypted text, and base64/hex of binaries.
 * Files are taken in a seeded shuffled order, each at most a set number of bytes, each class at
 * most {@link #CAP}. A class whose files are absent on a machine is empty, and the table says so.
 */
final class HeldOutNegatives {
  static final int CAP = 16 << 20;
  private static final int MIB = 1 << 20;

  private HeldOutNegatives() {}

  static Map<String, byte[]> all(List<WeightTensor> e5) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    Path py = Path.of("/root/.pyenv/versions/3.12.1/lib/python3.12");
    byte[] pySources = gather(List.of(py), ext(".py"), 256 << 10, CAP, false);
    m.put("text: Python sources", pySources);
    m.put(
        "text: HTML docs (Rust toolchain)",
        gather(List.of(Path.of("/root/.rustup/toolchains")), ext(".html"), 256 << 10, CAP, false));
    m.put(
        "text: JSON files (npm, gcloud)",
        gather(
            List.of(Path.of("/usr/lib/node_modules"), Path.of("/usr/lib/google-cloud-sdk")),
            ext(".json"),
            256 << 10,
            CAP,
            false));
    m.put(
        "text: man pages (gunzipped)",
        gather(List.of(Path.of("/usr/share/man")), ext(".gz"), MIB, CAP, true));
    m.put(
        "gzip: /usr/share/doc *.gz",
        gather(List.of(Path.of("/usr/share/doc")), ext(".gz"), MIB, CAP, false));
    m.put(
        "Debian packages (.deb)",
        gather(List.of(Path.of("/var/cache/apt/archives")), ext(".deb"), MIB, CAP, false));
    m.put(
        "jars: Maven plugins in ~/.m2",
        gather(
            List.of(
                Path.of(
                    System.getProperty("user.home"), ".m2/repository/org/apache/maven/plugins")),
            ext(".jar"),
            MIB,
            CAP,
            false));
    byte[] so =
        gather(
            List.of(
                Path.of("/root/.pyenv/versions"),
                Path.of("/root/.rustup/toolchains"),
                Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib")),
            p -> p.matches(".*\\.so[.0-9]*$"),
            MIB,
            CAP,
            false);
    m.put("ELF shared libraries (pyenv, rustup, JDK 25)", so);
    m.put("JDK 25 lib/modules image, from 64 MiB in", modulesMiddle());
    m.put(
        "Python bytecode (.pyc, pyenv)",
        gather(List.of(Path.of("/root/.pyenv/versions")), ext(".pyc"), 256 << 10, CAP, false));
    m.put(
        "fonts (woff2, rustup docs)",
        gather(List.of(Path.of("/root/.rustup")), ext(".woff2"), MIB, CAP, false));
    byte[] images =
        gather(
            List.of(
                Path.of("/root/.pyenv"),
                Path.of("/root/.rustup"),
                Path.of("/usr/lib/google-cloud-sdk")),
            ext(".png", ".jpg", ".jpeg", ".gif"),
            MIB,
            CAP,
            false);
    m.put("images (png/jpeg/gif, pyenv, rustup, gcloud)", images);
    m.put(
        "audio: Python test suite (wav/aiff/au)",
        gather(
            List.of(Path.of("/root/.pyenv/versions")),
            ext(".wav", ".aif", ".aiff", ".aifc", ".au"),
            MIB,
            CAP,
            false));
    byte[] speech = Speech.espeak();
    m.put("speech: espeak-ng 4 voices, s16 WAV", speech);
    m.put("speech: f32le PCM", Speech.toF32(speech));
    m.put("speech: WAV base64 in JSON", Speech.json(speech));
    float[][] rows = wordRows(e5);
    m.put("embeddings f32 raw (384)", Embeddings.raw(rows, 384, 8, 11));
    m.put("embeddings f32 raw (768)", Embeddings.raw(rows, 768, 4, 12));
    byte[] e1536 = Embeddings.raw(rows, 1536, 2, 13);
    m.put("embeddings f32 raw (1536)", e1536);
    m.put(
        "embeddings JSON base64 (384)",
        Embeddings.json(Embeddings.raw(rows, 384, 8, 14), 384, true));
    m.put("embeddings JSON base64 (1536)", Embeddings.json(e1536, 1536, true));
    m.put(
        "embeddings JSON numbers (768)",
        Embeddings.json(Embeddings.raw(rows, 768, 4, 15), 768, false));
    m.put("numbers as text: e5 weights as JSON arrays", Embeddings.numbers(e5));
    m.put("encrypted: AES-256-CTR of Python sources", aes(pySources));
    m.put("ELF shared libraries, base64 (MIME)", Base64.getMimeEncoder().encode(head(so, 6 << 20)));
    m.put("images, base64", Base64.getEncoder().encode(head(images, 6 << 20)));
    m.put("Debian packages, hex", Wraps.hex(head(m.get("Debian packages (.deb)"), 4 << 20)));
    return m;
  }

  /** 16 MiB of the Temurin 25 JDK's module image from 64 MiB in (not the JDK the tests run on). */
  private static byte[] modulesMiddle() {
    Path p = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/modules");
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p)) {
      ByteBuffer b = ByteBuffer.allocate(CAP);
      long at = 64L << 20;
      while (b.hasRemaining()) {
        int n = ch.read(b, at + b.position());
        if (n < 0) {
          break;
        }
      }
      return java.util.Arrays.copyOf(b.array(), b.position());
    } catch (IOException e) {
      return new byte[0];
    }
  }

  static byte[] head(byte[] b, int n) {
    return b.length <= n ? b : java.util.Arrays.copyOf(b, n);
  }

  private static Predicate<String> ext(String... names) {
    return p -> {
      String l = p.toLowerCase(Locale.ROOT);
      for (String n : names) {
        if (l.endsWith(n)) {
          return true;
        }
      }
      return false;
    };
  }

  /**
   * Files under the roots whose path matches, in a seeded shuffled order, each at most {@code
   * perFile} bytes from its start ({@code gunzip}: decompressed first), up to {@code cap} in all.
   */
  static byte[] gather(
      List<Path> roots, Predicate<String> name, int perFile, int cap, boolean gunzip) {
    List<Path> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try {
        Files.walkFileTree(
            root,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                if (a.isRegularFile() && a.size() > 0 && name.test(f.toString())) {
                  found.add(f);
                }
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE;
              }
            });
      } catch (IOException e) {
        // what was found so far stands
      }
    }
    Collections.sort(found);
    Collections.shuffle(found, new Random(17));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Path f : found) {
      try (InputStream in =
          gunzip ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f)) {
        out.writeBytes(in.readNBytes(Math.min(perFile, cap - out.size())));
      } catch (IOException e) {
        // an unreadable or corrupt file is left out
      }
      if (out.size() >= cap) {
        break;
      }
    }
    return out.toByteArray();
  }

  /** The token-embedding matrix (the largest tensor, 30522 rows of 384) as rows. */
  private static float[][] wordRows(List<WeightTensor> e5) {
    WeightTensor t =
        e5.stream().max(java.util.Comparator.comparingInt(x -> x.bytes().length)).orElseThrow();
    int cols = t.shape().get(t.shape().size() - 1).intValue();
    ByteBuffer b = ByteBuffer.wrap(t.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    float[][] rows = new float[t.bytes().length / 4 / cols][cols];
    for (float[] r : rows) {
      for (int j = 0; j < cols; j++) {
        r[j] = b.getFloat();
      }
    }
    return rows;
  }

  private static byte[] aes(byte[] plain) {
    try {
      byte[] key = new byte[32];
      byte[] iv = new byte[16];
      Random r = new Random(23);
      r.nextBytes(key);
      r.nextBytes(iv);
      Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
      return c.doFinal(plain);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
