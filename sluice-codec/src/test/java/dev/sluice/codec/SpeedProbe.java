package dev.sluice.codec;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Encode/decode speed with a warm JIT, one thread (a probe for codec work; runs when asked). */
@Tag("measurement")
@EnabledIfSystemProperty(named = "sluice.measure", matches = "true")
class SpeedProbe {
  @Test
  void probe() throws Exception {
    List<Corpus.Answer> all = Corpus.read(Corpus.ARENA_HARD);
    ModelTrainer trainer =
        new ModelTrainer().tableBits(Integer.getInteger("sluice.measure.bits", 18));
    List<byte[]> streams = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      Corpus.Answer a = all.get(i);
      if (i % 10 == 0) {
        streams.add(RealStreams.stream(42, i, a.model(), a.text(), false));
      } else {
        trainer.add(a.text());
      }
    }
    CodecModel big = CodecModel.fromBytes(trainer.build(TrainingProgress.NONE), "probe");
    ModelTrainer small = new ModelTrainer().tableBits(12);
    for (int i = 0; i < all.size(); i++) {
      if (i % 10 != 0) {
        small.add(all.get(i).text());
      }
    }
    CodecModel little = CodecModel.fromBytes(small.build(TrainingProgress.NONE), "probe-small");
    long total = streams.stream().mapToLong(s -> s.length).sum();
    for (int round = 0; round < 8; round++) {
      CodecModel model = round % 2 == 0 ? big : little;
      long t0 = System.nanoTime();
      List<byte[]> segs = new ArrayList<>();
      for (byte[] s : streams) {
        StreamEncoder enc = new StreamEncoder(model);
        for (int off = 0; off < s.length; ) {
          off += enc.write(s, off, Math.min(16384, s.length - off));
          if (enc.pendingBytes() == StreamEncoder.MAX_SEGMENT_INPUT) {
            segs.add(enc.flush());
          }
        }
        segs.add(enc.flush());
        segs.add(null);
      }
      long t1 = System.nanoTime();
      StreamDecoder dec = null;
      for (byte[] g : segs) {
        if (g == null) {
          dec = null;
          continue;
        }
        if (dec == null) {
          dec = new StreamDecoder(model);
        }
        dec.decode(g, 0, g.length);
      }
      long t2 = System.nanoTime();
      System.out.printf(
          "round %d (%s): %d streams, %d MB: encode %.1f MB/s, decode %.1f MB/s%n",
          round,
          model.source(),
          streams.size(),
          total >> 20,
          total / ((t1 - t0) / 1e3),
          total / ((t2 - t1) / 1e3));
    }
  }
}
