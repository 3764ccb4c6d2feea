package dev.sluice.detect.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.detect.format.DType;
import dev.sluice.detect.format.TensorRegion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both versions of the file: 2 (anchored segments, the default) and 1 (chunks). */
class FingerprintIndexFileTest {

  enum Version {
    ANCHORS(AnchorParams.DEFAULT, new AnchorParams(14, 4096, AnchorParams.DEFAULT_SEED), 23),
    CHUNKS(
        ChunkParams.DEFAULT, new ChunkParams(2048, 8192, 65536, 2, ChunkParams.DEFAULT_SEED), 31);

    final IndexScheme scheme;
    final IndexScheme other;
    final int filesAt;

    Version(IndexScheme scheme, IndexScheme other, int filesAt) {
      this.scheme = scheme;
      this.other = other;
      this.filesAt = filesAt;
    }
  }

  @TempDir Path dir;

  private FingerprintIndex build(Version v, int mib) throws IOException {
    byte[] data = new byte[mib << 20];
    new Random(7).nextBytes(data);
    Path f = dir.resolve("w.bin");
    Files.write(f, data);
    FingerprintIndexBuilder b = new FingerprintIndexBuilder(v.scheme);
    b.add(
        f,
        "w.bin",
        List.of(new TensorRegion(f, "w", 100, data.length - 200L, DType.UNKNOWN)),
        n -> {});
    return b.build();
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void roundTripKeepsEveryEntryAndTheSources(Version v) throws Exception {
    FingerprintIndex index = build(v, 6);
    Path out = dir.resolve("x.sfi");
    FingerprintIndexFile.write(index, out);
    FingerprintIndex back = FingerprintIndexFile.read(out, v.scheme);
    assertThat(Files.readAllBytes(out)[4]).isEqualTo((byte) (v == Version.ANCHORS ? 2 : 1));
    assertThat(back.size()).isEqualTo(index.size()).isGreaterThan(300);
    assertThat(back.files()).isEqualTo(index.files());
    assertThat(back.scheme()).isEqualTo(index.scheme());
    for (int e = 0; e < index.size(); e++) {
      assertThat(back.key(e)).isEqualTo(index.key(e));
      assertThat(back.rawLocation(e)).isEqualTo(index.rawLocation(e));
      assertThat(back.find(index.key(e))).isEqualTo(e);
    }
    assertThat(Files.size(out))
        .isEqualTo(index.size() * 16L + 4 * ((index.size() + 4095) / 4096) + headerSize(v, index));
  }

  private static long headerSize(Version v, FingerprintIndex index) {
    return v.filesAt
        + 8
        + 4
        + index.files().stream().mapToLong(f -> 2 + f.name().length() + 56).sum();
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void aFlippedByteIsRefusedWithItsOffset(Version v) throws Exception {
    FingerprintIndex index = build(v, 2);
    Path out = dir.resolve("x.sfi");
    FingerprintIndexFile.write(index, out);
    byte[] good = Files.readAllBytes(out);
    long header = headerSize(v, index);
    // a byte of the file name in the header: the header CRC fails, at the CRC's offset
    assertThatThrownBy(() -> readFlipped(good, v.filesAt + 2))
        .isInstanceOf(IndexFormatException.class)
        .hasMessage(
            "byte "
                + (header - 4)
                + ": header CRC mismatch (header bytes 0.."
                + (header - 5)
                + ")");
    // a byte of an entry: the block's CRC fails, at the block's offset
    assertThatThrownBy(() -> readFlipped(good, (int) header + 100))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageStartingWith("byte " + header + ": CRC mismatch in entries 0..");
  }

  private FingerprintIndex readFlipped(byte[] good, int at) throws Exception {
    byte[] bad = good.clone();
    bad[at] ^= 0x10;
    Path p = dir.resolve("bad.sfi");
    Files.write(p, bad);
    return FingerprintIndexFile.read(p);
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void anotherVersionOrOtherParametersAreRefused(Version v) throws Exception {
    FingerprintIndex index = build(v, 1);
    Path out = dir.resolve("x.sfi");
    FingerprintIndexFile.write(index, out);
    byte[] bytes = Files.readAllBytes(out);
    bytes[4] = 3;
    Path v3 = dir.resolve("v3.sfi");
    Files.write(v3, bytes);
    assertThatThrownBy(() -> FingerprintIndexFile.read(v3))
        .hasMessage("byte 4: version 3, this sluice reads versions 1 and 2");
    assertThatThrownBy(() -> FingerprintIndexFile.read(out, v.other))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining("byte 5: built with " + v.scheme);
  }

  @ParameterizedTest
  @EnumSource(Version.class)
  void truncationAndTrailingBytesAreRefused(Version v) throws Exception {
    FingerprintIndex index = build(v, 1);
    Path out = dir.resolve("x.sfi");
    FingerprintIndexFile.write(index, out);
    byte[] bytes = Files.readAllBytes(out);
    Path cut = dir.resolve("cut.sfi");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    assertThatThrownBy(() -> FingerprintIndexFile.read(cut)).hasMessageContaining("truncated");
    Path longer = dir.resolve("long.sfi");
    Files.write(longer, java.util.Arrays.copyOf(bytes, bytes.length + 1));
    assertThatThrownBy(() -> FingerprintIndexFile.read(longer))
        .hasMessage("byte " + bytes.length + ": 1 bytes after the last entry");
  }
}
