package dev.sluice.codec;

import com.github.luben.zstd.ZstdDictTrainer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a codec model file from sample answers (the text a site's models write). Feed every text
 * with {@link #add}, then {@link #build} returns the bytes of the model file; writing it
 * (atomically) is the caller's job. Deterministic: the same texts in the same order give the same
 * file, hence the same model id.
 *
 * <p>Training, in three passes:
 *
 * <ol>
 *   <li><b>counting</b>: every text but a tuning share (one in twenty, at most 400) is run through
 *       the text model's static contexts (orders 2-4, 6, word, two words), in a seeded shuffled
 *       order, as JSON-escaped UTF-8, filling the {@link TextTables};
 *   <li><b>tuning</b>: the held-back texts, framed as OpenAI SSE streams ({@link
 *       SyntheticStreams}), are coded one after the other as fresh streams with those tables
 *       frozen; what adapts (mixer weights, order-1 APM, match statistics, envelope and boundary
 *       models, flags) carries on from stream to stream and is saved as where every stream starts;
 *   <li><b>dictionary</b>: a 110 KB zstd dictionary from framed samples, for the generic path.
 * </ol>
 */
public final class ModelTrainer {

  private static final int DICTIONARY_SIZE = 110 << 10;
  private static final long SEED = 0x5EED_C0DEC_0001L;
  private static final int MAX_TUNING_STREAMS = 1000;

  private final List<byte[]> texts = new ArrayList<>();
  private final List<byte[]> streams = new ArrayList<>();
  private long bytes;
  private long streamBytes;
  private int tableBits = -1;

  /** Adds one answer's text. */
  public void add(String text) {
    byte[] b = JsonText.escape(text);
    if (b.length > 0) {
      texts.add(b);
      bytes += text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
  }

  /**
   * Adds one captured egress stream (the SSE body of a streamed completion, as the site's model
   * server writes it). Streams tune the envelope and chunk-boundary models to the site's real
   * framing and tokenizer; without any, the trainer frames held-back texts itself ({@link
   * SyntheticStreams}).
   */
  public void addStream(byte[] sse) {
    if (sse.length > 0) {
      streams.add(sse.clone());
      streamBytes += sse.length;
    }
  }

  /** Streams added so far. */
  public long streams() {
    return streams.size();
  }

  /** Texts added so far. */
  public long texts() {
    return texts.size();
  }

  /** Bytes of text added so far (UTF-8, as given). */
  public long textBytes() {
    return bytes;
  }

  /**
   * Sets the size of each static table to 2^bits buckets of 32 bytes (7 tables); by default it
   * follows the amount of text, from 2^12 up to 2^19.
   */
  public ModelTrainer tableBits(int bits) {
    if (bits < 4 || bits > 22) {
      throw new IllegalArgumentException("table bits must be 4..22: " + bits);
    }
    this.tableBits = bits;
    return this;
  }

  /**
   * The bytes of a model file that knows nothing: what {@link CodecModel#builtIn()} falls back to.
   */
  static byte[] untrained() {
    return ModelFile.write(
        new ModelFile.Parts(
            "untrained", TextTables.empty(), new EnvelopeModel(), new int[64], new byte[0]));
  }

  /** Trains and returns the bytes of the model file. */
  public byte[] build(TrainingProgress progress) {
    List<byte[]> order = new ArrayList<>(texts);
    Collections.shuffle(order, new java.util.Random(SEED));
    int every = 20;
    int maxTuning = 400;
    List<byte[]> counting = new ArrayList<>();
    List<byte[]> tuning = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      if (streams.isEmpty() && i % every == every - 1 && tuning.size() < maxTuning) {
        tuning.add(order.get(i));
      } else {
        counting.add(order.get(i));
      }
    }
    if (counting.isEmpty()) {
      counting.addAll(tuning);
    }
    if (tuning.isEmpty() && streams.isEmpty()) {
      // Too few texts to hold some back: tune on a few counted ones (better than untuned).
      tuning.addAll(order.subList(0, Math.min(every, order.size())));
    }
    long countBytes = 0;
    for (byte[] t : counting) {
      countBytes += t.length;
    }
    int bits = tableBits;
    if (bits < 0) {
      bits = 64 - Long.numberOfLeadingZeros(Math.max(1, countBytes)) - 3;
      bits = Math.max(12, Math.min(19, bits));
    }
    TextTables tables = new TextTables(bits);

    // 1. counting
    TextModel counter = new TextModel(tables);
    long done = 0;
    long step = Math.max(1, countBytes / 200);
    long next = 0;
    progress.update("counting", 0, countBytes);
    for (byte[] t : counting) {
      counter.resetText();
      for (byte b : t) {
        counter.count(b & 0xFF);
      }
      done += t.length;
      if (done >= next) {
        progress.update("counting", done, countBytes);
        next = done + step;
      }
    }
    progress.update("counting", countBytes, countBytes);
    tables.toCodingForm();

    // 2. tuning
    SplittableRandom rnd = new SplittableRandom(SEED);
    EnvelopeModel env = new EnvelopeModel();
    int[] flags = initialFlags();
    TextTables carried = tables;
    ArithmeticEncoder replay = new ArithmeticEncoder(null);
    List<byte[]> samples = new ArrayList<>();
    List<byte[]> tuneStreams = new ArrayList<>();
    if (streams.isEmpty()) {
      for (byte[] t : tuning) {
        tuneStreams.add(SyntheticStreams.frame(t, rnd));
      }
    } else {
      List<byte[]> shuffled = new ArrayList<>(streams);
      Collections.shuffle(shuffled, new java.util.Random(SEED + 1));
      tuneStreams.addAll(shuffled.subList(0, Math.min(MAX_TUNING_STREAMS, shuffled.size())));
    }
    progress.update("tuning", 0, tuneStreams.size());
    for (int i = 0; i < tuneStreams.size(); i++) {
      byte[] stream = tuneStreams.get(i);
      samples.add(stream);
      PieceCoder coder = new PieceCoder(carried, env, flags);
      coder.text.tuning(true);
      int[] e = StreamEncoder.pieceEnds(stream);
      try {
        StreamEncoder.codePieces(
            coder, replay, stream, e, StreamEncoder.contents(stream, e, e.length), 0, e.length);
      } catch (CodecFormatException ex) {
        throw new IllegalStateException("tuning rejected its own stream", ex);
      }
      carried = coder.carriedText(tables);
      env = coder.env;
      flags = coder.flags.table().clone();
      progress.update("tuning", i + 1, tuneStreams.size());
    }

    // 3. dictionary
    progress.update("dictionary", 0, 1);
    byte[] dict = dictionary(samples, order, rnd);
    progress.update("dictionary", 1, 1);

    String description =
        String.format(
            "sluice codec model v%d: %d texts, %d bytes of text (%d counted); tuned on %d %s"
                + " streams; tables %d x 2^%d buckets; zstd dictionary %d bytes",
            ModelFile.VERSION,
            texts.size(),
            bytes,
            counting.size(),
            tuneStreams.size(),
            streams.isEmpty() ? "synthetic" : "captured",
            TextTables.ORDERS,
            bits,
            dict.length);
    progress.update("writing", 0, 1);
    byte[] file = ModelFile.write(new ModelFile.Parts(description, carried, env, flags, dict));
    progress.update("writing", 1, 1);
    return file;
  }

  private static int[] initialFlags() {
    BitModels f = new BitModels(64, 255);
    return f.table().clone();
  }

  private static byte[] dictionary(List<byte[]> samples, List<byte[]> texts, SplittableRandom rnd) {
    long sampleBytes = 0;
    List<byte[]> all = new ArrayList<>(samples);
    for (int i = 0; i < texts.size() && sampleBytes < (8 << 20); i += 7) {
      all.add(SyntheticStreams.frame(texts.get(i), rnd));
      sampleBytes += all.get(all.size() - 1).length;
    }
    long total = 0;
    for (byte[] s : all) {
      total += s.length;
    }
    if (all.size() < 8 || total < 10 * DICTIONARY_SIZE) {
      return new byte[0];
    }
    ZstdDictTrainer trainer =
        new ZstdDictTrainer((int) Math.min(total, Integer.MAX_VALUE - 64), DICTIONARY_SIZE);
    for (byte[] s : all) {
      trainer.addSample(s);
    }
    try {
      return trainer.trainSamples();
    } catch (RuntimeException e) {
      return new byte
          [0]; // too little or too uniform text for a dictionary: the generic path goes without
    }
  }
}
