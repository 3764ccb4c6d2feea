package dev.sluice.scan;

import dev.sluice.detect.format.fixtures.WeightTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Embeddings responses built from the held-out e5-small-v2 model's token-embedding rows (there is
 * no ONNX runtime here to run the model): each vector is the mean of {@code pooled} random rows
 * (mean pooling, as a sentence embedding is the mean of its tokens' states), {@code dim / 384} such
 * means side by side, normalized to unit length in double and rounded to fp32.
 */
final class Embeddings {
  private Embeddings() {}

  static byte[] raw(float[][] rows, int dim, int pooled, long seed) {
    int cols = rows[0].length;
    SplittableRandom r = new SplittableRandom(seed);
    int vectors = (8 << 20) / (4 * dim);
    ByteBuffer out = ByteBuffer.allocate(vectors * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
    double[] v = new double[dim];
    for (int k = 0; k < vectors; k++) {
      java.util.Arrays.fill(v, 0);
      for (int part = 0; part < dim / cols; part++) {
        for (int t = 0; t < pooled; t++) {
          float[] row = rows[r.nextInt(rows.length)];
          for (int j = 0; j < cols; j++) {
            v[part * cols + j] += row[j];
          }
        }
      }
      double norm = 0;
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

  /** OpenAI-style responses of 16 vectors each: base64 of the fp32 bytes, or JSON numbers. */
  static byte[] json(byte[] vectors, int dim, boolean base64) {
    StringBuilder b = new StringBuilder();
    ByteBuffer f = ByteBuffer.wrap(vectors).order(ByteOrder.LITTLE_ENDIAN);
    int n = vectors.length / (4 * dim);
    for (int start = 0; start < n; start += 16) {
      b.append("{\"object\":\"list\",\"data\":[");
      for (int k = start; k < Math.min(n, start + 16); k++) {
        b.append(k == start ? "" : ",")
            .append("{\"object\":\"embedding\",\"index\":")
            .append(k - start);
        b.append(",\"embedding\":");
        if (base64) {
          byte[] one = java.util.Arrays.copyOfRange(vectors, 4 * dim * k, 4 * dim * (k + 1));
          b.append('"').append(Base64.getEncoder().encodeToString(one)).append('"');
        } else {
          b.append('[');
          for (int j = 0; j < dim; j++) {
            b.append(j == 0 ? "" : ",").append(f.getFloat(4 * (dim * k + j)));
          }
          b.append(']');
        }
        b.append('}');
      }
      b.append(
          "],\"model\":\"e5-small-v2\",\"usage\":{\"prompt_tokens\":64,\"total_tokens\":64}}\n");
      if (b.length() >= HeldOutNegatives.CAP) {
        break;
      }
    }
    return HeldOutNegatives.head(Wraps.ascii(b.toString()), HeldOutNegatives.CAP);
  }

  /** The model's weights written as JSON arrays of numbers, 64 a line (a weights dump as text). */
  static byte[] numbers(java.util.List<WeightTensor> tensors) {
    StringBuilder b = new StringBuilder();
    for (WeightTensor t : tensors) {
      ByteBuffer f = ByteBuffer.wrap(t.bytes()).order(ByteOrder.LITTLE_ENDIAN);
      while (f.remaining() >= 4 && b.length() < HeldOutNegatives.CAP) {
        b.append('[');
        for (int j = 0; j < 64 && f.remaining() >= 4; j++) {
          b.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.7g", f.getFloat()));
        }
        b.append("],\n");
      }
    }
    return HeldOutNegatives.head(Wraps.ascii(b.toString()), HeldOutNegatives.CAP);
  }
}
