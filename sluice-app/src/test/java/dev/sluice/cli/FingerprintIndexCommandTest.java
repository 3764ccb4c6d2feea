package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintIndexFile;
import dev.sluice.detect.fingerprint.FingerprintMatcher;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FingerprintIndexCommandTest {

  @TempDir Path dir;

  private static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A safetensors file with one F32 tensor of {@code data}. */
  private static byte[] safetensors(byte[] data) {
    String json =
        "{\"w\":{\"dtype\":\"F32\",\"shape\":["
            + data.length / 4
            + "],\"data_offsets\":[0,"
            + data.length
            + "]}}";
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length).put(header).put(data);
    return b.array();
  }

  @Test
  void indexesWeightFilesAndSaysWhichFilesItSkippedAndWhy() throws Exception {
    Path model = Files.createDirectories(dir.resolve("model"));
    byte[] tensor = random(1, 3 << 20);
    Files.write(model.resolve("model.safetensors"), safetensors(tensor));
    Files.writeString(model.resolve("config.json"), "{\"hidden\": 384}\n".repeat(10));
    Path out = dir.resolve("w.sfi");
    CliRun run = CliRun.of("fingerprint", "index", "--out", out.toString(), model.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("files         1")
        .contains("tensors       1")
        .contains("tensor bytes  3.15 MB (3,145,728)")
        .contains("per TB")
        .contains(
            "skipped       "
                + model.resolve("config.json")
                + ": no known weight format (--raw indexes it whole)");
    assertThat(run.err()).isEmpty();
    FingerprintIndex index = FingerprintIndexFile.read(out);
    assertThat(index.files()).hasSize(1);
    assertThat(index.files().get(0).tensorBytes()).isEqualTo(tensor.length);
    // a slice of the tensor is found, at its offset in the file (header: 8 + JSON)
    byte[] slice = Arrays.copyOfRange(tensor, 1_000_001, 2_000_001);
    FingerprintMatcher m = FingerprintMatcher.of(index, x -> {});
    m.feed(slice, 0, slice.length);
    m.end();
    assertThat(m.matches()).isNotEmpty();
    long headerLength = Files.size(model.resolve("model.safetensors")) - tensor.length;
    assertThat(m.matches().get(0).sourceOffset() - headerLength)
        .isEqualTo(1_000_001 + m.matches().get(0).streamOffset());
  }

  @Test
  void rawIndexesUnrecognisedFilesWhole() throws Exception {
    Files.write(dir.resolve("a.bin"), random(2, 1 << 20));
    Files.write(dir.resolve("b.bin"), random(3, 1 << 20));
    Path out = dir.resolve("raw.sfi");
    CliRun without =
        CliRun.of("fingerprint", "index", "--out", out.toString(), dir.resolve("a.bin").toString());
    assertThat(without.exitCode()).isEqualTo(2);
    assertThat(without.err())
        .contains("skipped " + dir.resolve("a.bin") + ": no known weight format")
        .contains("error: no weights to index");
    CliRun with =
        CliRun.of(
            "fingerprint",
            "index",
            "--raw",
            "--out",
            out.toString(),
            dir.resolve("a.bin").toString(),
            dir.resolve("b.bin").toString());
    assertThat(with.exitCode()).as(with.err()).isZero();
    assertThat(with.out()).contains("files         2").contains("tensor bytes  2.1 MB (2,097,152)");
    assertThat(FingerprintIndexFile.read(out).files()).hasSize(2);
  }

  @Test
  void aCorruptWeightFileIsAnErrorNamingTheFileAndOffset() throws Exception {
    byte[] st = safetensors(random(4, 4096));
    Path bad = dir.resolve("bad.safetensors");
    // cut inside the tensor's bytes
    Files.write(bad, Arrays.copyOf(st, st.length - 100));
    CliRun run =
        CliRun.of("fingerprint", "index", "--out", dir.resolve("x.sfi").toString(), bad.toString());
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).startsWith("error: " + bad).contains("byte");
    assertThat(Files.exists(dir.resolve("x.sfi"))).isFalse();
  }

  @Test
  void theProgressLineShowsBytesAndRate() {
    assertThat(ByteProgress.line(25, 1_200_000_000L, 4_800_000_000L, 2_000_000_000L))
        .isEqualTo("indexing [#######                       ]  25% 1.2 GB / 4.8 GB  600 MB/s   ");
  }
}
