package dev.sluice.codec;

import dev.sluice.codec.sample.HeldOut;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Models the codec tests share, built once per test JVM: a small model trained on the Apache-2.0
 * Arena-Hard training answers (its tuning streams are every API family, as the trainer frames
 * them), and the untrained model; and the held-out answers to code.
 */
final class TrainedModels {
  private TrainedModels() {}

  private static CodecModel small;
  private static List<HeldOut.Answer> train;
  private static List<HeldOut.Answer> heldOut;

  /** A model trained on two thirds of the Arena-Hard training answers, tables of 2^12. */
  static synchronized CodecModel small() {
    if (small == null) {
      load();
      ModelTrainer t = new ModelTrainer().tableBits(12);
      for (int i = 0; i < train.size(); i++) {
        if (i % 3 != 0) {
          t.add(train.get(i).text());
        }
      }
      try {
        small = CodecModel.fromBytes(t.build(TrainingProgress.NONE), "test");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return small;
  }

  /** Arena-Hard answers to held-out prompts (the split every bench uses). */
  static synchronized List<HeldOut.Answer> heldOut() {
    load();
    return heldOut;
  }

  private static void load() {
    if (train != null) {
      return;
    }
    try {
      List<HeldOut.Answer> all = HeldOut.read(Corpus.dir().resolve(Corpus.ARENA_HARD));
      train = new ArrayList<>();
      heldOut = new ArrayList<>();
      for (HeldOut.Answer a : all) {
        (HeldOut.heldOutPrompt(a.prompt()) ? heldOut : train).add(a);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path corpus() {
    return Corpus.dir();
  }
}
