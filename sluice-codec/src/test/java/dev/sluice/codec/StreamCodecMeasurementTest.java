package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.codec.sample.HeldOut;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Trains a model with {@link ModelTrainer} on the training split of AlpacaEval (split by
 * instruction, as HeldOut splits) and codes 1,000 held-out answers framed as OpenAI streams them
 * (RealStreams: o200k tokens), each as a fresh stream in one segment; writes
 * target/stream-codec-measurement.md. Runs only when asked.
 */
@Tag("measurement")
@EnabledIfSystemProperty(named = "sluice.measure", matches = "true")
class StreamCodecMeasurementTest {

  @Test
  void measure() throws Exception {
    String file = System.getProperty("sluice.measure.corpus", Corpus.ALPACA);
    int streams = Integer.getInteger("sluice.measure.streams", 1000);
    int bits = Integer.getInteger("sluice.measure.bits", -1);
    List<Corpus.Answer> all = Corpus.read(file);
    List<Corpus.Answer> train = new ArrayList<>();
    List<Corpus.Answer> test = new ArrayList<>();
    for (Corpus.Answer a : all) {
      if (!a.text().isEmpty()) {
        (HeldOut.heldOutPrompt(a.prompt()) ? test : train).add(a);
      }
    }
    Collections.shuffle(test, new Random(2));
    List<Corpus.Answer> held = test.subList(0, Math.min(streams, test.size()));
    long t0 = System.nanoTime();
    ModelTrainer trainer = new ModelTrainer();
    if (bits > 0) {
      trainer.tableBits(bits);
    }
    int tuneStreams = Integer.getInteger("sluice.measure.tune", 600);
    Collections.shuffle(train, new Random(3));
    for (int i = 0; i < train.size(); i++) {
      Corpus.Answer a = train.get(i);
      if (i < tuneStreams) {
        trainer.addStream(RealStreams.stream(7, 100_000 + i, a.model(), a.text(), false));
      } else {
        trainer.add(a.text());
      }
    }
    byte[] modelFile = trainer.build(TrainingProgress.NONE);
    long t1 = System.nanoTime();
    CodecModel model = CodecModel.fromBytes(modelFile, "measurement");
    long text = 0;
    long sse = 0;
    long wire = 0;
    long encNs = 0;
    long decNs = 0;
    for (int i = 0; i < held.size(); i++) {
      Corpus.Answer a = held.get(i);
      byte[] s = RealStreams.stream(42, i, a.model(), a.text(), false);
      text += a.text().getBytes(StandardCharsets.UTF_8).length;
      sse += s.length;
      long e0 = System.nanoTime();
      StreamEncoder enc = new StreamEncoder(model);
      List<byte[]> segs = new ArrayList<>();
      int off = 0;
      while (off < s.length) {
        int n = enc.write(s, off, Math.min(16 << 10, s.length - off));
        off += n;
        if (enc.pendingBytes() == StreamEncoder.MAX_SEGMENT_INPUT) {
          segs.add(enc.flush());
        }
      }
      segs.add(enc.flush());
      long e1 = System.nanoTime();
      StreamDecoder dec = new StreamDecoder(model);
      java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
      for (byte[] g : segs) {
        if (g.length > 0) {
          back.writeBytes(dec.decode(g, 0, g.length));
          wire += g.length;
        }
      }
      long e2 = System.nanoTime();
      encNs += e1 - e0;
      decNs += e2 - e1;
      assertThat(back.toByteArray()).as("stream %d round trip", i).isEqualTo(s);
    }
    // A live stream: the gateway flushes after every event (events come tens of milliseconds
    // apart),
    // so each event is a segment in a DATA frame of its own (type, varint length, CRC32C).
    long live = 0;
    long liveFramed = 0;
    for (int i = 0; i < held.size(); i++) {
      Corpus.Answer a = held.get(i);
      StreamEncoder enc = new StreamEncoder(model);
      for (byte[] ev : RealStreams.events(42, i, a.model(), a.text(), false)) {
        enc.write(ev, 0, ev.length);
        byte[] seg = enc.flush();
        live += seg.length;
        liveFramed += seg.length + 1 + (seg.length < 128 ? 1 : seg.length < 16384 ? 2 : 3) + 4;
      }
    }
    // Where the bits go: the same streams coded once more, costed by category.
    CostCoding cost = new CostCoding();
    for (int i = 0; i < held.size(); i++) {
      Corpus.Answer a = held.get(i);
      byte[] s = RealStreams.stream(42, i, a.model(), a.text(), false);
      PieceCoder coder = new PieceCoder(model);
      int[] e = StreamEncoder.pieceEnds(s);
      StreamEncoder.codePieces(
          coder, cost, s, e, StreamEncoder.contents(s, e, e.length), 0, e.length);
    }
    StringBuilder parts = new StringBuilder();
    for (int k = 0; k < CostCoding.NAMES.length; k++) {
      parts.append(
          String.format(
              "  %-24s %.4f per text byte%n", CostCoding.NAMES[k], cost.bits[k] / 8 / text));
    }
    String report =
        String.format(
            "%s: %d held-out streams, %d text bytes, %d SSE bytes (%.2f per text byte)%n"
                + "model: %d bytes, trained in %.1f s: %s%n"
                + "segments (no link framing): %d bytes = %.4f per text byte, %.5f per SSE byte%n"
                + "encode %.1f MB/s of SSE, decode %.1f MB/s (one thread, this run)%n"
                + "live (a segment per event): %.4f per text byte, %.4f with DATA frames%n%s",
            file,
            held.size(),
            text,
            sse,
            (double) sse / text,
            modelFile.length,
            (t1 - t0) / 1e9,
            model.description(),
            wire,
            (double) wire / text,
            (double) wire / sse,
            sse / (encNs / 1e9) / 1e6,
            sse / (decNs / 1e9) / 1e6,
            (double) live / text,
            (double) liveFramed / text,
            parts);
    System.out.println(report);
    Path out = Path.of("target/stream-codec-measurement.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
