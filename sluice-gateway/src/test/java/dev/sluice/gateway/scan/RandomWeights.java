package dev.sluice.gateway.scan;

import dev.sluice.detect.fingerprint.AnchorParams;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintIndexBuilder;
import dev.sluice.detect.format.DType;
import dev.sluice.detect.format.TensorRegion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A "weight file" of seeded random bytes, indexed whole as one raw region: what the fingerprint
 * matcher finds does not depend on the bytes looking like floats, so the scan stage's unit tests
 * need no real model (the end-to-end tests in sluice-it use the real one).
 */
public final class RandomWeights {

  public final byte[] bytes;
  public final FingerprintIndex index;

  public RandomWeights(Path dir, int size, long seed) throws IOException {
    bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    Path file = dir.resolve("weights.bin");
    Files.write(file, bytes);
    FingerprintIndexBuilder b = new FingerprintIndexBuilder(AnchorParams.DEFAULT);
    b.add(file, "weights.bin", List.of(new TensorRegion(file, "all", 0, size, DType.U8)), n -> {});
    index = b.build();
  }

  /** {@code len} bytes of the file from {@code from}. */
  public byte[] slice(int from, int len) {
    byte[] out = new byte[len];
    System.arraycopy(bytes, from, out, 0, len);
    return out;
  }

  /** Seeded printable text (words and spaces), as a text answer would be. */
  public static byte[] text(int len, long seed) {
    Random r = new Random(seed);
    byte[] out = new byte[len];
    for (int i = 0; i < len; i++) {
      out[i] = r.nextInt(6) == 0 ? (byte) ' ' : (byte) ('a' + r.nextInt(26));
    }
    return out;
  }
}
