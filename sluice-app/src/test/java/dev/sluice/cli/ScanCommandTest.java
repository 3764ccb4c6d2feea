package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import dev.sluice.detect.format.TensorRegion;
import dev.sluice.detect.format.WeightFiles;
import dev.sluice.detect.format.fixtures.Floats;
import dev.sluice.detect.format.fixtures.RealModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice scan} on real weights (the all-MiniLM-L6-v2 fp32 ONNX model, indexed with {@code
 * sluice fingerprint index}; its tensors rounded to fp16 and bf16 for the tensor detector) and real
 * negatives (this repository's documentation, a jar, random bytes standing for encrypted data).
 */
class ScanCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  @TempDir Path dir;

  private static Path model;
  private static Path index;
  private static byte[] modelBytes;
  private static TensorRegion largest;

  @BeforeAll
  static void indexTheRealModel() throws IOException {
    model = RealModels.fp32();
    modelBytes = Files.readAllBytes(model);
    largest =
        WeightFiles.regions(model).stream()
            .max(Comparator.comparingLong(TensorRegion::length))
            .orElseThrow();
    index = shared.resolve("minilm.sfi");
    CliRun run = CliRun.of("fingerprint", "index", "--out", index.toString(), model.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  /** 1 MiB of the model's tensor bytes at a seeded random offset (any byte alignment). */
  private static long sliceOffset(long seed) {
    return largest.offset() + new SplittableRandom(seed).nextLong(largest.length() - (1 << 20));
  }

  private static byte[] slice(long at) {
    return Arrays.copyOfRange(modelBytes, (int) at, (int) at + (1 << 20));
  }

  private static List<JsonNode> lines(String out) throws IOException {
    List<JsonNode> l = new ArrayList<>();
    for (String s : out.split("\n")) {
      if (!s.isBlank()) {
        l.add(JSON.readTree(s));
      }
    }
    return l;
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(o)) {
      g.write(b);
    }
    return o.toByteArray();
  }

  private static byte[] docs() throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(Files.readAllBytes(Path.of("../README.md")));
    o.write(Files.readAllBytes(Path.of("../CHANGELOG.md")));
    return o.toByteArray();
  }

  @Test
  void indexedSlicesAreFoundPlainBase64InATarAndInGzipAndZstdFilesWithTheirSource()
      throws Exception {
    long at = sliceOffset(1);
    byte[] s = slice(at);
    Path plain = Files.write(dir.resolve("slice.bin"), s);
    Path b64 =
        Files.writeString(
            dir.resolve("slice.json"),
            "{\"data\":\"" + Base64.getEncoder().encodeToString(slice(sliceOffset(2))) + "\"}");
    Files.write(dir.resolve("notes.txt"), docs());
    Files.write(dir.resolve("inner.bin"), slice(sliceOffset(3)));
    Path tar = dir.resolve("bundle.tar");
    Process p =
        new ProcessBuilder(
                "tar", "-cf", tar.toString(), "-C", dir.toString(), "notes.txt", "inner.bin")
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor()).isZero();
    Path gz = Files.write(dir.resolve("slice.bin.gz"), gzip(slice(sliceOffset(4))));
    Path zst = Files.write(dir.resolve("slice.bin.zst"), Zstd.compress(slice(sliceOffset(5)), 3));
    Path text = Files.write(dir.resolve("docs.md"), docs());

    CliRun run =
        CliRun.of(
            "scan",
            "--index",
            index.toString(),
            "--json",
            plain.toString(),
            b64.toString(),
            tar.toString(),
            gz.toString(),
            zst.toString(),
            text.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    List<JsonNode> l = lines(run.out());
    assertThat(l)
        .extracting(j -> j.get("verdict").asText())
        .containsExactly("weights", "weights", "weights", "weights", "weights", "clean");
    // the plain slice: exact offsets, the model as the source
    JsonNode m = l.get(0).get("matches").get(0);
    assertThat(m.get("lane").asText()).isEqualTo("raw");
    assertThat(m.get("source").asText()).isEqualTo(model.toString());
    assertThat(m.get("source_offset").asLong() - m.get("offset").asLong()).isEqualTo(at);
    assertThat(l.get(1).get("matches").get(0).get("lane").asText()).isEqualTo("base64");
    assertThat(l.get(2).get("matches").get(0).get("lane").asText()).isEqualTo("raw");
    assertThat(l.get(3).get("encoding").asText()).isEqualTo("gzip");
    assertThat(l.get(3).get("matches").get(0).get("lane").asText()).isEqualTo("gzip");
    assertThat(l.get(4).get("encoding").asText()).isEqualTo("zstd");
    assertThat(l.get(4).get("matches").get(0).get("lane").asText()).isEqualTo("zstd");
    assertThat(l.get(5).get("matches")).isEmpty();
    assertThat(l.get(5).get("tensors")).isEmpty();
  }

  @Test
  void weightsThatWereNeverIndexedAreFoundWithTheirDtypeAndNegativesAreClean() throws Exception {
    // 8 MiB of the model's fp32 tensor bytes, rounded to 4 MiB of fp16 and of bf16: in no index
    byte[] f32 =
        Arrays.copyOfRange(modelBytes, (int) largest.offset(), (int) largest.offset() + (8 << 20));
    Path f16 = Files.write(dir.resolve("w.f16"), Floats.toF16(f32));
    Path bf16 = Files.write(dir.resolve("w.bf16"), Floats.toBf16(f32));
    Path bf16gz = Files.write(dir.resolve("w.bf16.gz"), gzip(Floats.toBf16(f32)));
    Path text = Files.write(dir.resolve("docs.md"), docs());
    byte[] random = new byte[3 << 20];
    new java.util.Random(5).nextBytes(random);
    Path encrypted = Files.write(dir.resolve("secret.bin"), random);
    Path jar =
        Path.of(
            picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());

    CliRun run =
        CliRun.of(
            "scan",
            "--json",
            f16.toString(),
            bf16.toString(),
            bf16gz.toString(),
            text.toString(),
            encrypted.toString(),
            jar.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    List<JsonNode> l = lines(run.out());
    assertThat(l)
        .extracting(j -> j.get("verdict").asText())
        .containsExactly("weights", "weights", "weights", "clean", "clean", "clean");
    assertThat(l.get(0).get("tensors").get(0).get("dtype").asText()).isEqualTo("F16");
    assertThat(l.get(1).get("tensors").get(0).get("dtype").asText()).isEqualTo("BF16");
    // the region covers (nearly) the whole file: one merged region, not one per window
    JsonNode t = l.get(1).get("tensors").get(0);
    assertThat(l.get(1).get("tensor_count").asLong()).isEqualTo(1);
    assertThat(t.get("length").asLong()).isGreaterThan((4 << 20) - (64 << 10));
    // the gzip file: found in its decoded bytes, named as such
    assertThat(l.get(2).get("tensors").findValuesAsText("lane"))
        .as("%s", l.get(2))
        .contains("gzip");

    CliRun clean = CliRun.of("scan", text.toString(), encrypted.toString());
    assertThat(clean.exitCode()).as(clean.err()).isZero();
    assertThat(clean.out())
        .contains(text + ": clean (")
        .contains(encrypted + ": clean (" + random.length + " bytes scanned)");
  }

  @Test
  void textOutputListsMatchesAndRegions() throws Exception {
    long at = sliceOffset(7);
    Path plain = Files.write(dir.resolve("slice.bin"), slice(at));
    CliRun run = CliRun.of("scan", "--index", index.toString(), plain.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.out())
        .startsWith(plain + ": weights (")
        .contains("bytes scanned")
        .containsPattern(
            "\n  match   raw +offset \\d+ length \\d+ <- "
                + java.util.regex.Pattern.quote(model.toString())
                + " at \\d+")
        .containsPattern("\n  tensor  raw +offset \\d+ length \\d+ F32");
  }

  @Test
  void aCorruptIndexIsAUsageErrorNamingTheFileAndOffset() throws Exception {
    byte[] b = Files.readAllBytes(index);
    b[b.length / 2] ^= 0x40;
    Path bad = Files.write(dir.resolve("bad.sfi"), b);
    Path text = Files.write(dir.resolve("docs.md"), docs());
    CliRun run = CliRun.of("scan", "--index", bad.toString(), text.toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("error: index " + bad + ": byte ").contains("CRC");
    assertThat(run.out()).isEmpty();

    CliRun missing =
        CliRun.of("scan", "--index", dir.resolve("none.sfi").toString(), text.toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("cannot read index " + dir.resolve("none.sfi"));

    CliRun nothing = CliRun.of("scan", "--no-tensors", text.toString());
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err()).contains("--no-tensors needs --index");
  }

  @Test
  void anUnreadableFileIsNamedExits3AndTheOthersAreStillScanned() throws Exception {
    Path weights = Files.write(dir.resolve("slice.bin"), slice(sliceOffset(8)));
    Path missing = dir.resolve("gone.bin");
    CliRun run =
        CliRun.of(
            "scan", "--index", index.toString(), "--json", missing.toString(), weights.toString());
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).contains("error: cannot read " + missing);
    List<JsonNode> l = lines(run.out());
    assertThat(l.get(0).get("file").asText()).isEqualTo(missing.toString());
    assertThat(l.get(0).get("verdict").asText()).isEqualTo("error");
    assertThat(l.get(1).get("verdict").asText()).isEqualTo("weights");
  }

  @Test
  void aFileLargerThan2GiBIsStreamedAndOffsetsPastItAreExact() throws Exception {
    // sparse: 2 GiB of zeros, then 1 MiB of weights at an offset past any int; never in memory
    long at = (1L << 31) + 12_345;
    long from = sliceOffset(9);
    Path big = dir.resolve("big.img");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.seek(at);
      f.write(slice(from));
    }
    CliRun run = CliRun.of("scan", "--index", index.toString(), "--json", big.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    JsonNode r = lines(run.out()).get(0);
    assertThat(r.get("bytes").asLong()).isEqualTo(at + (1 << 20));
    JsonNode m = r.get("matches").get(0);
    assertThat(m.get("offset").asLong()).isGreaterThanOrEqualTo(at);
    assertThat(m.get("offset").asLong() - at).isEqualTo(m.get("source_offset").asLong() - from);
    assertThat(r.get("tensors").get(0).get("offset").asLong())
        .isGreaterThanOrEqualTo(at - (64 << 10));
  }
}
