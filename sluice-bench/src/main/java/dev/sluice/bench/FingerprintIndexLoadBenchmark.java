package dev.sluice.bench;

import dev.sluice.detect.fingerprint.ChunkParams;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintIndexFile;
import dev.sluice.detect.fingerprint.IndexFormatException;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Loading a fingerprint index the size an 810 GB model needs (42 M entries, 672 MB: 810 GB of
 * tensor bytes in chunks of 19.2 KB on average) from the page cache. The file is written here from
 * the format document ({@code docs/formats/fingerprint-index-v1.md}), not by the writer under test,
 * with evenly spread fingerprints and 64 source files.
 *
 * <pre>
 * java -Xmx3g -jar sluice-bench/target/benchmarks.jar FingerprintIndexLoadBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
@State(Scope.Benchmark)
public class FingerprintIndexLoadBenchmark {

  @Param({"42000000"})
  public int entries;

  private Path file;

  @Setup
  public void write() throws IOException {
    file = Files.createTempFile("bench-index", ".sfi");
    CRC32C crc = new CRC32C();
    try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      CheckedOutputStream checked = new CheckedOutputStream(raw, crc);
      DataOutputStream h = new DataOutputStream(checked);
      ChunkParams p = ChunkParams.DEFAULT;
      h.writeInt(0x534C4650);
      h.writeByte(1);
      h.writeInt(p.min());
      h.writeInt(p.avg());
      h.writeInt(p.max());
      h.writeByte(p.normalization());
      h.writeLong(p.gearSeed());
      h.writeByte(1);
      h.writeInt(64);
      for (int f = 0; f < 64; f++) {
        byte[] name = ("model-" + f + ".safetensors").getBytes(StandardCharsets.UTF_8);
        h.writeShort(name.length);
        h.write(name);
        h.writeLong(12_700_000_000L);
        h.write(new byte[32]);
        h.writeLong(100);
        h.writeLong(12_650_000_000L);
      }
      h.writeLong(entries);
      h.flush();
      DataOutputStream d = new DataOutputStream(raw);
      d.writeInt((int) crc.getValue());
      long step = Long.divideUnsigned(-1L, entries);
      Random r = new Random(1);
      byte[] block = new byte[4096 * 16];
      for (int start = 0; start < entries; start += 4096) {
        int n = Math.min(4096, entries - start);
        for (int e = 0; e < n; e++) {
          long i = start + e;
          long key = i * step + (r.nextLong() & 0xFFFF);
          long location = ((i % 64) << 48) | (i * 19_000L % 12_000_000_000L);
          put(block, e * 16, key);
          put(block, e * 16 + 8, location);
        }
        crc.reset();
        crc.update(block, 0, n * 16);
        d.write(block, 0, n * 16);
        d.writeInt((int) crc.getValue());
      }
    }
  }

  private static void put(byte[] b, int at, long v) {
    for (int k = 7; k >= 0; k--) {
      b[at + k] = (byte) v;
      v >>>= 8;
    }
  }

  @TearDown
  public void delete() throws IOException {
    Files.deleteIfExists(file);
  }

  @Benchmark
  public FingerprintIndex load() throws IOException, IndexFormatException {
    return FingerprintIndexFile.read(file, ChunkParams.DEFAULT);
  }
}
