package dev.sluice.codec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Where a stream's envelope bits go, event by event (a probe for codec work; runs when asked). */
@Tag("measurement")
@EnabledIfSystemProperty(named = "sluice.measure", matches = "true")
class EnvelopeCostProbe {
  @Test
  void probe() throws Exception {
    List<Corpus.Answer> all = Corpus.read(Corpus.ARENA_HARD);
    List<Corpus.Answer> train = new ArrayList<>();
    List<Corpus.Answer> test = new ArrayList<>();
    for (Corpus.Answer a : all) {
      (Math.floorMod(DemoFraming.mix(a.prompt().hashCode()), 10) == 0 ? test : train).add(a);
    }
    Collections.shuffle(train, new Random(3));
    ModelTrainer trainer = new ModelTrainer().tableBits(14);
    for (int i = 0; i < train.size(); i++) {
      Corpus.Answer a = train.get(i);
      if (i < 300) {
        trainer.addStream(
            DemoFraming.stream(DemoFraming.Meta.of(7, 100_000 + i, a.model()), a.text(), false));
      } else {
        trainer.add(a.text());
      }
    }
    CodecModel model = CodecModel.fromBytes(trainer.build(TrainingProgress.NONE), "probe");
    for (int s = 0; s < 3; s++) {
      Corpus.Answer a = test.get(s);
      List<byte[]> events =
          DemoFraming.events(DemoFraming.Meta.of(42, s, a.model()), a.text(), false);
      PieceCoder coder = new PieceCoder(model);
      double[] per = new double[events.size()];
      for (int e = 0; e < events.size(); e++) {
        CostCoding cost = new CostCoding();
        byte[] ev = events.get(e);
        long content = ContentString.find(ev, 0, ev.length);
        coder.code(cost, ev, 0, ev.length, content, -1, PieceCoder.DISCARD);
        per[e] = (cost.bits[1] + cost.bits[5] + cost.bits[6] + cost.bits[0]) / 8;
      }
      System.out.printf(
          "stream %d (%s): envelope bytes of events 0..3: %.1f %.1f %.1f %.1f, last two %.1f %.1f, all %.1f%n",
          s,
          a.model(),
          per[0],
          per[1],
          per[2],
          per[3],
          per[per.length - 2],
          per[per.length - 1],
          java.util.Arrays.stream(per).sum());
      System.out.println(new String(events.get(0)) + new String(events.get(1)));
    }
  }
}
