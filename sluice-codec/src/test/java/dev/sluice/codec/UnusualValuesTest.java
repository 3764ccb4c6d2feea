package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Streams of an API nobody wrote down: JSON events whose keys come from a small pool (so new shapes
 * share keys with old ones), values of every length around the limits of what a shape keeps as a
 * template ({@link Shape#MAX_VALUE}, {@link Shape#MAX_VALUES}) and of what the key memory keeps,
 * values that repeat, grow and shrink, numbers, nulls and nested objects. Each comes back byte for
 * byte whole and in live sections, with the trained model and the untrained one.
 */
class UnusualValuesTest {

  private static final String[] KEYS = {
    "id", "text", "delta", "meta", "created", "usage", "status", "item_id", "x", "payload"
  };

  @Property(seed = "20261206", tries = 25)
  void eventsOfUnknownShapesAndLongValuesRoundTrip(@ForAll @IntRange(max = 1 << 20) int seed)
      throws Exception {
    byte[] in = stream(new SplittableRandom(seed));
    for (CodecModel m : new CodecModel[] {TrainedModels.small(), CodecModel.untrained()}) {
      assertThat(whole(m, in)).isEqualTo(in);
      assertThat(live(m, in, new SplittableRandom(seed))).isEqualTo(in);
    }
  }

  private static byte[] stream(SplittableRandom r) {
    StringBuilder sb = new StringBuilder();
    String[] last = new String[KEYS.length];
    int events = 20 + r.nextInt(60);
    for (int e = 0; e < events; e++) {
      sb.append(r.nextInt(4) == 0 ? "event: kind" + r.nextInt(3) + "\n" : "").append("data: {");
      int fields = 1 + r.nextInt(6);
      for (int f = 0; f < fields; f++) {
        int k = r.nextInt(KEYS.length);
        sb.append(f > 0 ? "," : "").append('"').append(KEYS[k]).append("\":");
        String v;
        switch (r.nextInt(6)) {
          case 0 -> v = last[k] != null ? last[k] : value(r); // the same again
          case 1 -> v = String.valueOf(r.nextLong(1L << 40));
          case 2 -> v = "null";
          case 3 -> v = "{\"inner\":" + value(r) + "}";
          default -> v = value(r);
        }
        last[k] = v;
        sb.append(v);
      }
      sb.append("}\n\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A JSON string whose length is near one of the limits, or short. */
  private static String value(SplittableRandom r) {
    int[] around = {0, 3, 120, 128, 130, 250, 256, 258, 700, 1030, 3000};
    int n = Math.max(0, around[r.nextInt(around.length)] + r.nextInt(5) - 2);
    StringBuilder s = new StringBuilder("\"");
    String alphabet = "abcdef0123456789 Hello, world. é\\\"";
    for (int i = 0; i < n; i++) {
      char c = alphabet.charAt(r.nextInt(alphabet.length()));
      if (c == '\\' || c == '"') {
        s.append('\\');
      }
      s.append(c);
    }
    return s.append('"').toString();
  }

  private static byte[] whole(CodecModel m, byte[] in) throws CodecFormatException {
    StreamEncoder enc = new StreamEncoder(m);
    StreamDecoder dec = new StreamDecoder(m);
    enc.write(in, 0, in.length);
    byte[] seg = enc.flush();
    return dec.decode(seg, 0, seg.length);
  }

  /** Written in pieces of 1 to 400 bytes, a frame after each. */
  private static byte[] live(CodecModel m, byte[] in, SplittableRandom r)
      throws CodecFormatException {
    LinkEncoder enc = new LinkEncoder(m);
    LinkDecoder dec = new LinkDecoder(m);
    enc.open(1);
    dec.open(1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int off = 0;
    while (off < in.length || enc.pending(1) > 0) {
      if (off < in.length) {
        int n = Math.min(in.length - off, 1 + r.nextInt(400));
        off += enc.write(1, in, off, n);
      }
      LinkEncoder.Frame f = enc.frame();
      if (f.add(1, Long.MAX_VALUE)) {
        byte[] p = f.commit();
        dec.decode(p, 0, p.length, (id, b, o, len) -> out.write(b, o, len));
      } else {
        f.abandon();
      }
    }
    return out.toByteArray();
  }
}
