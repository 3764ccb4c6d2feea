package dev.sluice.detect.tensor;

import dev.sluice.detect.format.DType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, not a test (run with {@code -Dsluice.measure=true}): the confusion table of the
 * tensor detector over every 128 KiB slice (seeded random offsets) of the real weights (tuning
 * model all-MiniLM-L6-v2 and held-out bge-small-en-v1.5, fp32 and the derived fp16 and bf16, raw,
 * base64 and hex; int8 models for what the detector does there) and of the real negatives of {@link
 * Negatives}.
 *
 * <pre>
 * ./mvnw -B -o -q -pl sluice-detect -am verify -Dtest='TensorDetectorMeasure' \
 *   -Dsurefire.failIfNoSpecifiedTests=false -Dsluice.measure=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "sluice.measure", matches = "true")
class TensorDetectorMeasure {

  @Test
  void confusionTable() {
    Map<String, byte[]> pos = new LinkedHashMap<>();
    for (String m : new String[] {WeightBytes.MINILM, WeightBytes.BGE}) {
      String tag = m.equals(WeightBytes.BGE) ? "held-out bge-small " : "tuning MiniLM ";
      byte[] f32 = WeightBytes.of(m, DType.F32);
      byte[] f16 = WeightBytes.converted(m, DType.F16);
      byte[] bf16 = WeightBytes.converted(m, DType.BF16);
      pos.put(tag + "fp32", f32);
      pos.put(tag + "fp16", f16);
      pos.put(tag + "bf16", bf16);
      pos.put(tag + "fp32 base64", Base64.getEncoder().encode(Negatives.head(f32, 24 << 20)));
      pos.put(tag + "fp16 base64", Base64.getEncoder().encode(Negatives.head(f16, 24 << 20)));
      pos.put(tag + "bf16 base64", Base64.getMimeEncoder().encode(Negatives.head(bf16, 24 << 20)));
      pos.put(tag + "fp32 hex", hex(Negatives.head(f32, 12 << 20)));
      pos.put(tag + "bf16 hex", hex(Negatives.head(bf16, 12 << 20)));
    }
    System.out.printf(
        "%n%-44s %7s %7s %7s   %s%n",
        "weights (128 KiB slices)", "slices", "flagged", "rate", "dtype named");
    for (Map.Entry<String, byte[]> e : pos.entrySet()) {
      print(e.getKey(), Slices.tally(e.getValue(), 11, Integer.MAX_VALUE));
    }
    System.out.printf("%n%-44s%n", "int8 weights (not detected by design)");
    print("tuning MiniLM-q int8", Slices.tally(int8(WeightBytes.MINILM_Q), 12, Integer.MAX_VALUE));
    print(
        "held-out e5-small-v2-q int8", Slices.tally(int8(WeightBytes.E5_Q), 12, Integer.MAX_VALUE));
    System.out.printf(
        "%n%-44s %7s %7s %7s%n", "negatives (128 KiB slices)", "slices", "flagged", "rate");
    int slices = 0;
    int flagged = 0;
    for (Map.Entry<String, byte[]> e : Negatives.all().entrySet()) {
      Slices.Tally t = Slices.tally(e.getValue(), 13, Integer.MAX_VALUE);
      print(e.getKey() + " (" + e.getValue().length / 1024 + " KiB)", t);
      slices += t.slices();
      flagged += t.flagged();
    }
    System.out.printf(
        "%-44s %7d %7d %6.2f%%%n", "all negatives", slices, flagged, 100.0 * flagged / slices);
  }

  /**
   * Scan speed per CPU second of the scanning thread (so a loaded machine does not understate it):
   * the same slices as the benchmark, warmed up first. The JMH figures are in {@code
   * TensorDetectorBenchmark}; this one is for machines too busy for wall-clock throughput.
   */
  @Test
  void throughputPerCpuSecond() {
    Map<String, byte[]> kinds = new LinkedHashMap<>();
    kinds.put("weights fp32", WeightBytes.of(WeightBytes.MINILM, DType.F32));
    kinds.put("weights bf16", WeightBytes.converted(WeightBytes.MINILM, DType.BF16));
    kinds.put("weights fp16", WeightBytes.converted(WeightBytes.MINILM, DType.F16));
    kinds.put(
        "weights fp32 base64",
        Base64.getEncoder()
            .encode(Negatives.head(WeightBytes.of(WeightBytes.MINILM, DType.F32), 32 << 20)));
    kinds.put("text (corpus)", Negatives.corpusText());
    kinds.put("random", Negatives.random(32 << 20, 9));
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    TensorDetector d = new TensorDetector(new SplittableRandom(17));
    System.out.printf("%n%-24s %12s%n", "scan speed", "MB per CPU s");
    for (Map.Entry<String, byte[]> e : kinds.entrySet()) {
      byte[] b = e.getValue();
      int slices = b.length / Slices.SLICE;
      for (int round = 0; round < 3; round++) {
        long bytes = 0;
        long t0 = mx.getCurrentThreadCpuTime();
        for (int k = 0; k < slices; k++) {
          bytes += Slices.SLICE;
          d.scan(b, k * Slices.SLICE, Slices.SLICE);
        }
        long cpu = mx.getCurrentThreadCpuTime() - t0;
        if (round == 2) {
          System.out.printf("%-24s %12.0f%n", e.getKey(), bytes * 1e3 / cpu);
        }
      }
    }
  }

  static byte[] int8(String model) {
    byte[] i8 = WeightBytes.of(model, DType.I8);
    byte[] u8 = WeightBytes.of(model, DType.U8);
    return i8.length >= u8.length ? i8 : u8;
  }

  static byte[] hex(byte[] b) {
    return HexFormat.of().formatHex(b).getBytes(StandardCharsets.US_ASCII);
  }

  private static void print(String name, Slices.Tally t) {
    System.out.printf(
        "%-44s %7d %7d %6.2f%%   %s%n", name, t.slices(), t.flagged(), 100 * t.rate(), t.types());
  }
}
