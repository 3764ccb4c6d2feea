package dev.sluice.scan;

import dev.sluice.detect.fingerprint.AnchorParams;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintIndexBuilder;
import dev.sluice.detect.format.DType;
import dev.sluice.detect.format.OnnxReader;
import dev.sluice.detect.format.TensorEntry;
import dev.sluice.detect.format.TensorRegion;
import dev.sluice.detect.format.fixtures.RealModels;
import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.WeightTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Real weights that the detectors were never tuned or measured on: e5-small-v2 (float32 ONNX, 133
 * MB; its fp16 and bf16 conversions come from the fixture converters) and bge-small-en-v1.5's int8
 * quantization, both from {@code dev.langchain4j} jars on sluice-app's test classpath only.
 */
final class HeldOutWeights {
  static final String E5 = "e5-small-v2.onnx";
  static final String BGE_Q = "bge-small-en-v1.5-q.onnx";

  private static Path dir;

  private HeldOutWeights() {}

  /** The ONNX file {@code name} from the test classpath, extracted once per JVM. */
  static synchronized Path file(String name) {
    try {
      if (dir == null) {
        dir = Files.createTempDirectory("sluice-held-out");
        Path d = dir;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RealModels.deleteTree(d)));
      }
      Path target = dir.resolve(name);
      if (!Files.exists(target)) {
        try (InputStream in = HeldOutWeights.class.getResourceAsStream("/" + name)) {
          if (in == null) {
            throw new IllegalStateException(name + " is not on the test classpath");
          }
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tensors of {@code dtype} of an ONNX file. */
  static List<WeightTensor> tensors(String name, DType dtype) {
    return RealTensors.read(file(name), dtype);
  }

  /** The bytes of the tensors, back to back, as a weight file's data section holds them. */
  static byte[] concat(List<WeightTensor> tensors) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (WeightTensor t : tensors) {
      out.writeBytes(t.bytes());
    }
    return out.toByteArray();
  }

  /** The regions of the ONNX file's tensor bytes (what the index fingerprints). */
  static List<TensorRegion> regions(String name) {
    try {
      return new OnnxReader().read(file(name)).stream().map(TensorEntry::region).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An index of the ONNX file's tensor bytes, as {@code sluice fingerprint index} builds it. */
  static FingerprintIndex index(String name) {
    try {
      FingerprintIndexBuilder b = new FingerprintIndexBuilder(AnchorParams.DEFAULT);
      b.add(file(name), name, regions(name), n -> {});
      return b.build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
