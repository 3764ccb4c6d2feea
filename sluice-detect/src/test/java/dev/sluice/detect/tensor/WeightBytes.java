package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;
import dev.sluice.detect.format.OnnxReader;
import dev.sluice.detect.format.TensorEntry;
import dev.sluice.detect.format.fixtures.RealModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The tensor bytes of the real models on the test classpath, as a weight file's data section holds
 * them: every tensor of one dtype, in file order, back to back (headers and protobuf framing left
 * out, found with {@link OnnxReader}). fp16 and bf16 are derived from the fp32 tensors by rounding
 * each value to nearest even, as {@code torch.Tensor.half()} and {@code .bfloat16()} do.
 */
final class WeightBytes {
  /** Tuning model: all-MiniLM-L6-v2 (fp32 and int8). */
  static final String MINILM = RealModels.FP32;

  static final String MINILM_Q = RealModels.INT8;

  /** Held-out models, never tuned on: bge-small-en-v1.5 (fp32) and e5-small-v2 (int8). */
  static final String BGE = "bge-small-en-v1.5.onnx";

  static final String E5_Q = "e5-small-v2-q.onnx";

  private static final Map<String, byte[]> CACHE = new HashMap<>();
  private static Path dir;

  private WeightBytes() {}

  /** All tensors of {@code model} of type {@code want} (F32, I8 or U8), back to back. */
  static synchronized byte[] of(String model, DType want) {
    return CACHE.computeIfAbsent(model + "/" + want, k -> read(model, want));
  }

  /** The fp32 tensors of {@code model} converted to {@code to} (F16 or BF16). */
  static synchronized byte[] converted(String model, DType to) {
    byte[] f32 = of(model, DType.F32);
    return CACHE.computeIfAbsent(model + "/" + to, k -> convert(f32, to == DType.BF16));
  }

  private static byte[] read(String model, DType want) {
    try {
      Path file = extract(model);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (FileChannel ch = FileChannel.open(file)) {
        for (TensorEntry t : new OnnxReader().read(file)) {
          if (t.region().dtype() != want || !t.region().file().equals(file)) {
            continue;
          }
          ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(t.region().length()));
          long at = t.region().offset();
          while (buf.hasRemaining()) {
            int n = ch.read(buf, at + buf.position());
            if (n < 0) {
              throw new IOException("short file " + file);
            }
          }
          out.write(buf.array());
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path extract(String name) throws IOException {
    if (name.equals(RealModels.FP32)) {
      return RealModels.fp32();
    }
    if (name.equals(RealModels.INT8)) {
      return RealModels.int8();
    }
    if (dir == null) {
      dir = Files.createTempDirectory("sluice-tensor-models");
      Path d = dir;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> RealModels.deleteTree(d)));
    }
    Path target = dir.resolve(name);
    if (!Files.exists(target)) {
      try (InputStream in = WeightBytes.class.getResourceAsStream("/" + name)) {
        if (in == null) {
          throw new IllegalStateException(name + " is not on the test classpath");
        }
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return target;
  }

  private static byte[] convert(byte[] f32, boolean bf16) {
    byte[] out = new byte[f32.length / 2];
    for (int i = 0, o = 0; i + 3 < f32.length; i += 4, o += 2) {
      int bits =
          (f32[i] & 0xff) | (f32[i + 1] & 0xff) << 8 | (f32[i + 2] & 0xff) << 16 | f32[i + 3] << 24;
      int h = bf16 ? toBf16(bits) : toHalf(bits);
      out[o] = (byte) h;
      out[o + 1] = (byte) (h >>> 8);
    }
    return out;
  }

  /** float bits to bf16 bits, rounding to nearest even (NaN stays NaN). */
  static int toBf16(int bits) {
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (bits >>> 16) | 0x40;
    }
    return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
  }

  /** float bits to fp16 bits, rounding to nearest even, overflow to infinity. */
  static int toHalf(int bits) {
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return sign | 0x7c00 | (mant != 0 ? 0x200 : 0);
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return sign | 0x7c00;
    }
    if (e <= 0) {
      if (e < -10) {
        return sign;
      }
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rest = m & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rest > mid || (rest == mid && (half & 1) == 1)) {
        half++;
      }
      return sign | half;
    }
    int half = e << 10 | mant >>> 13;
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
      half++;
    }
    return sign | half;
  }
}
