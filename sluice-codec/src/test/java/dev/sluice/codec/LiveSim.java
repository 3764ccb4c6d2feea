package dev.sluice.codec;

import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Development harness: a live link without the network. {@code streams} client connections each
 * carry held-out answers one after another (their events written one per {@code 1000/rate} ms), one
 * {@link LinkEncoder} cuts a frame every {@code window} ms from what is pending; reports link
 * payload bytes (plus a 2-byte frame header each) per text byte, and checks the round trip.
 *
 * <pre>java -cp ... -Dmodel=FILE dev.sluice.codec.LiveSim FAMILY [streams] [window_ms] [answers]
 * </pre>
 */
public final class LiveSim {
  public static void main(String[] args) throws Exception {
    Family family = Family.byId(args[0]);
    int streams = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int answers = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    String modelFile = System.getProperty("model");
    CodecModel model =
        modelFile != null
            ? CodecModel.read(java.nio.file.Path.of(modelFile))
            : CodecModel.builtIn();
    List<Corpus.Answer> test = Measure.heldOut(Corpus.ARENA_HARD);
    SplittableRandom r = new SplittableRandom(5);
    List<List<byte[]>> writes = new ArrayList<>();
    List<long[]> times = new ArrayList<>();
    long text = 0;
    int next = 0;
    for (int s = 0; s < streams; s++) {
      List<byte[]> w = new ArrayList<>();
      for (int a = 0; a < answers; a++) {
        String t = test.get(next++ % test.size()).text();
        text += t.getBytes(StandardCharsets.UTF_8).length;
        FamilyStream st =
            family.build(
                t,
                Tokenizer.o200k(),
                r,
                SampleOptions.defaults()
                    .withCreated(SampleOptions.DEFAULT_CREATED + r.nextInt(1 << 26))
                    .withPromptTokens(5 + r.nextInt(900)));
        if (!Boolean.getBoolean("http")) {
          w.addAll(st.writes());
          continue;
        }
        // As a proxy relays it: a chunked HTTP response, each write a chunk, cut into chunks of
        // at most -Dpiece bytes (what one socket read of the upstream held), all sent at once.
        int piece = Integer.getInteger("piece", 0);
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        one.writeBytes(
            ("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    + "transfer-encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] b : st.writes()) {
          int step = piece > 0 ? piece : b.length;
          for (int o = 0; o < b.length; o += step) {
            int n = Math.min(step, b.length - o);
            one.writeBytes(Integer.toHexString(n).getBytes(StandardCharsets.ISO_8859_1));
            one.writeBytes(new byte[] {'\r', '\n'});
            one.write(b, o, n);
            one.writeBytes(new byte[] {'\r', '\n'});
          }
          w.add(one.toByteArray());
          one.reset();
        }
        w.add("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      }
      long start = r.nextInt(1000);
      long[] tm = new long[w.size()];
      for (int i = 0; i < tm.length; i++) {
        tm[i] = start + i * 20L;
      }
      writes.add(w);
      times.add(tm);
    }
    LinkEncoder enc = new LinkEncoder(model);
    LinkDecoder dec = new LinkDecoder(model);
    ByteArrayOutputStream[] sent = new ByteArrayOutputStream[streams];
    ByteArrayOutputStream[] got = new ByteArrayOutputStream[streams];
    int[] pos = new int[streams];
    for (int s = 0; s < streams; s++) {
      enc.open(s);
      dec.open(s);
      sent[s] = new ByteArrayOutputStream();
      got[s] = new ByteArrayOutputStream();
    }
    long wire = 0;
    long frames = 0;
    long stored = 0;
    for (long now = 0; ; now += window) {
      boolean any = false;
      for (int s = 0; s < streams; s++) {
        while (pos[s] < writes.get(s).size() && times.get(s)[pos[s]] <= now) {
          byte[] b = writes.get(s).get(pos[s]++);
          enc.write(s, b, 0, b.length);
          sent[s].writeBytes(b);
        }
        any |= pos[s] < writes.get(s).size() || enc.pending(s) > 0;
      }
      LinkEncoder.Frame f = enc.frame();
      for (int s = 0; s < streams; s++) {
        if (enc.pending(s) > 0) {
          f.add(s, Long.MAX_VALUE);
        }
      }
      if (f.streams().length > 0) {
        byte[] p = f.commit();
        wire += p.length + 2;
        frames++;
        dec.decode(p, 0, p.length, (id, b, off, len) -> got[id].write(b, off, len));
      } else {
        f.abandon();
      }
      if (!any) {
        break;
      }
    }
    for (int s = 0; s < streams; s++) {
      if (!java.util.Arrays.equals(sent[s].toByteArray(), got[s].toByteArray())) {
        throw new AssertionError("stream " + s + " differs");
      }
    }
    System.out.printf(
        "%s streams %d window %d ms: %d frames, %.1f B/frame, %.3f link bytes per text byte%n",
        family.id(), streams, window, frames, wire / (double) frames, wire / (double) text);
  }
}
