package dev.sluice.codec;

import com.github.luben.zstd.ZstdDictTrainer;
import dev.sluice.codec.sample.Family;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds a codec model file from sample answers (the text a site's models write) and, optionally,
 * captured egress streams. Feed every text with {@link #add} (and streams with {@link #addStream}),
 * then {@link #build} returns the bytes of the model file; writing it (atomically) is the caller's
 * job. Deterministic: the same inputs in the same order give the same file, hence the same model
 * id.
 *
 * <p>Training, in four passes:
 *
 * <ol>
 *   <li><b>counting</b>: every text but a tuning share (one in twenty, at most 400, or 200 when
 *       captured streams are given) is run through the text model's static contexts (orders 2-4, 6,
 *       word, two words), in a seeded shuffled order, as UTF-8 (the codec codes the characters of a
 *       JSON string, not its escapes), filling the {@link TextTables};
 *   <li><b>library</b>: the tuning streams (the held-back texts framed by {@link TuningStreams} in
 *       every family's shape, then the captured ones: a site's captures add to what the model knows
 *       of every API, they do not replace it) are coded one after the other, each from fresh state;
 *       the shapes of their units (with their last values) become the {@link ShapeLibrary}, and the
 *       bytes of every shape the {@link ShapeLiterals};
 *   <li><b>tuning</b>: the same streams again with the library; what adapts (mixer weights, order-1
 *       APM, match and boundary statistics, the flags and literals of every stream model) carries
 *       on from stream to stream and is saved as where every stream starts;
 *   <li><b>dictionary</b>: a 110 KB zstd dictionary from the streams, for binary units.
 * </ol>
 */
public final class ModelTrainer {

  private static final int DICTIONARY_SIZE = 110 << 10;
  private static final long SEED = 0x5EED_C0DEC_0001L;
  private static final int MAX_TUNING_STREAMS = 1000;
  private static final int MAX_LIBRARY = 1024;

  private final List<byte[]> texts = new ArrayList<>();
  private final List<byte[]> streams = new ArrayList<>();
  private long bytes;
  private long streamBytes;
  private int tableBits = -1;
  private Family[] families = Family.values();

  /** Adds one answer's text. */
  public void add(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0) {
      texts.add(b);
      bytes += b.length;
    }
  }

  /**
   * Adds one captured egress stream (an HTTP response body or a whole response as the site's model
   * server writes it). Streams teach the library and the stream models the site's real framing and
   * tokenizer; without any, the trainer frames held-back texts itself ({@link TuningStreams}).
   */
  public void addStream(byte[] stream) {
    if (stream.length > 0) {
      streams.add(stream.clone());
      streamBytes += stream.length;
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
   * Sets the size of each static table to 2^bits buckets of 32 bytes (6 tables); by default it
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
            "untrained", TextTables.empty(), null, ShapeLibrary.EMPTY, new byte[0]));
  }

  /**
   * The API families the held-back texts are framed as for tuning (default: every {@link Family}).
   * Measurements of a family the model never saw leave it out.
   */
  public ModelTrainer families(java.util.Collection<Family> only) {
    if (only.isEmpty()) {
      throw new IllegalArgumentException("no families");
    }
    this.families = only.toArray(new Family[0]);
    return this;
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
      if (i % every == every - 1 && tuning.size() < (streams.isEmpty() ? maxTuning : 200)) {
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

    // 2. the streams to tune on: held-back texts in every family's shape (so a site's model knows
    // every API, not only the one it captured), then the site's captured streams, if any, last, so
    // the tuned state ends on what the site sends.
    SplittableRandom rnd = new SplittableRandom(SEED);
    List<byte[]> tuneStreams = new ArrayList<>();
    for (int i = 0; i < tuning.size(); i++) {
      tuneStreams.add(TuningStreams.frame(tuning.get(i), i, rnd, families));
    }
    List<byte[]> captured = new ArrayList<>(streams);
    Collections.shuffle(captured, new java.util.Random(SEED + 1));
    captured = captured.subList(0, Math.min(MAX_TUNING_STREAMS, captured.size()));
    for (int i = 0; i < captured.size(); i++) {
      byte[] s = captured.get(i);
      // Every other captured body also as a gateway sends it (HTTP head, a chunk per event).
      boolean http = s.length > 5 && s[0] == 'H' && s[1] == 'T' && s[2] == 'T' && s[3] == 'P';
      tuneStreams.add(i % 2 == 0 && !http ? HttpWrap.chunked(s, rnd) : s);
    }

    // 3. library, then tuning with it
    LibraryBuilder lib = new LibraryBuilder(MAX_LIBRARY);
    progress.update("library", 0, tuneStreams.size());
    for (int i = 0; i < tuneStreams.size(); i++) {
      StreamCodec sc =
          new StreamCodec(
              new CodecModel(
                  new ModelFile.Parts("", tables, null, ShapeLibrary.EMPTY, new byte[0]),
                  "training"));
      code(sc, tuneStreams.get(i), lib, null);
      progress.update("library", i + 1, tuneStreams.size());
    }
    ShapeLibrary library = lib.build();
    TextTables carried = tables;
    StreamStart start = null;
    progress.update("tuning", 0, tuneStreams.size());
    for (int i = 0; i < tuneStreams.size(); i++) {
      StreamCodec sc =
          new StreamCodec(
              new CodecModel(
                  new ModelFile.Parts("", carried, start, library, new byte[0]), "training"));
      sc.textModel.tuning(true);
      code(sc, tuneStreams.get(i), null, i % 2 == 1 ? rnd : null);
      carried =
          tables.withState(
              sc.textModel.mixer1.clone(),
              sc.textModel.mixer2.clone(),
              sc.textModel.matchModels.table().clone(),
              sc.textModel.boundaryState());
      start = StreamStart.of(sc);
      progress.update("tuning", i + 1, tuneStreams.size());
    }

    // 4. dictionary
    progress.update("dictionary", 0, 1);
    byte[] dict = dictionary(tuneStreams, order, rnd);
    progress.update("dictionary", 1, 1);

    String description =
        String.format(
            "sluice codec model v%d: %d texts, %d bytes of text (%d counted); tuned on %d %s"
                + " streams; tables %d x 2^%d buckets; library %d shapes; zstd dictionary %d"
                + " bytes",
            ModelFile.VERSION,
            texts.size(),
            bytes,
            counting.size(),
            tuneStreams.size(),
            streams.isEmpty() ? "synthetic" : "synthetic and captured",
            TextTables.ORDERS,
            bits,
            library.size(),
            dict.length);
    progress.update("writing", 0, 1);
    byte[] file = ModelFile.write(new ModelFile.Parts(description, carried, start, library, dict));
    progress.update("writing", 1, 1);
    return file;
  }

  /**
   * Codes a whole stream through {@code sc} (no output), collecting shapes into {@code lib}. With
   * {@code live}, the stream goes in small sections of one to four events, as a gateway's frames
   * carry a live stream, so the tuned state knows both.
   */
  private static void code(
      StreamCodec sc, byte[] stream, LibraryBuilder lib, SplittableRandom live) {
    if (lib != null) {
      sc.shapes.trace = new ArrayList<>();
    }
    SectionPlan plan = new SectionPlan();
    ArithmeticEncoder none = new ArithmeticEncoder(null);
    int pos = 0;
    try {
      while (pos < stream.length) {
        int max = Math.min(stream.length - pos, LinkEncoder.MAX_FRAME_INPUT);
        if (live != null) {
          max = Math.min(max, eventsEnd(stream, pos, 1 + live.nextInt(4)) - pos);
        }
        int limit = SectionPlan.lineLimit(stream, pos, max, stream.length);
        byte[] part = java.util.Arrays.copyOfRange(stream, pos, pos + limit);
        int taken = plan.plan(part, 0, part.length, sc.framing);
        if (taken == 0) {
          limit = Math.min(stream.length - pos, LinkEncoder.MAX_FRAME_INPUT);
          part = java.util.Arrays.copyOfRange(stream, pos, pos + limit);
          taken = plan.plan(part, 0, part.length, sc.framing);
          if (taken == 0) {
            break;
          }
        }
        sc.encode(none, plan, new ByteBuf(16));
        pos += taken;
      }
    } catch (CodecFormatException e) {
      throw new IllegalStateException("training rejected its own stream", e);
    }
    if (lib != null) {
      lib.add(sc.shapes.table, sc.shapes.trace);
    }
  }

  /** The end of the {@code k}-th event from {@code pos}: after a blank line, or a line of JSON. */
  private static int eventsEnd(byte[] b, int pos, int k) {
    int i = pos;
    while (i < b.length && k > 0) {
      if (b[i] == '\n') {
        boolean blank = i + 1 < b.length && (b[i + 1] == '\n' || b[i + 1] == '\r');
        boolean json = i > pos && b[i - 1] == '}';
        if (blank || json) {
          k--;
          i += blank ? (b[i + 1] == '\r' && i + 2 < b.length && b[i + 2] == '\n' ? 3 : 2) : 1;
          continue;
        }
      }
      i++;
    }
    return Math.min(i, b.length);
  }

  private byte[] dictionary(List<byte[]> samples, List<byte[]> texts, SplittableRandom rnd) {
    long sampleBytes = 0;
    List<byte[]> all = new ArrayList<>(samples);
    for (int i = 0; i < texts.size() && sampleBytes < (8 << 20); i += 7) {
      all.add(TuningStreams.frame(texts.get(i), i, rnd, families));
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
      return new byte[0]; // too little or too uniform text for a dictionary
    }
  }
}
