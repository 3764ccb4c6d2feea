package dev.sluice.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Development harness: N concurrent streams through one LinkEncoder, events at a fixed pace, a
 * frame every flush window (the first bytes of a response at once), HTTP chunked as a gateway
 * writes them. Reports payload and framed bytes per text byte.
 */
public final class LiveSim {
  static List<byte[]> events(String body) {
    List<byte[]> out = new ArrayList<>();
    String sep = body.contains("\r\n\r\n") ? "\r\n\r\n" : body.startsWith("{") ? "\n" : "\n\n";
    int i = 0;
    while (i < body.length()) {
      int j = body.indexOf(sep, i);
      j = j < 0 ? body.length() : j + sep.length();
      out.add(body.substring(i, j).getBytes(StandardCharsets.ISO_8859_1));
      i = j;
    }
    return out;
  }

  static byte[] chunk(byte[] ev) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes((Integer.toHexString(ev.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    o.writeBytes(ev);
    o.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return o.toByteArray();
  }

  static final byte[] HEAD =
      ("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\n"
              + "cache-control: no-cache\r\ndate: Sun, 06 Dec 2026 01:03:26 GMT\r\n"
              + "transfer-encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  /** Returns {payload bytes, frames, text bytes}. */
  static long[] run(
      CodecModel model,
      List<String> bodies,
      List<Integer> textBytes,
      int streams,
      int windowMs,
      int eventMs)
      throws Exception {
    LinkEncoder enc = new LinkEncoder(model);
    LinkDecoder dec = new LinkDecoder(model);
    int n = Math.min(streams, bodies.size());
    List<List<byte[]>> evs = new ArrayList<>();
    int[] next = new int[n];
    long[] due = new long[n];
    ByteArrayOutputStream[] sent = new ByteArrayOutputStream[n];
    ByteArrayOutputStream[] got = new ByteArrayOutputStream[n];
    long text = 0;
    for (int s = 0; s < n; s++) {
      evs.add(events(bodies.get(s)));
      enc.open(s);
      dec.open(s);
      sent[s] = new ByteArrayOutputStream();
      got[s] = new ByteArrayOutputStream();
      due[s] = s * 7L % eventMs;
      text += textBytes.get(s);
    }
    long payload = 0;
    long frames = 0;
    long now = 0;
    long nextFrame = Long.MAX_VALUE;
    int open = n;
    boolean[] started = new boolean[n];
    while (open > 0) {
      boolean urgent = false;
      for (int s = 0; s < n; s++) {
        List<byte[]> e = evs.get(s);
        while (next[s] <= e.size() && due[s] <= now) {
          byte[] w;
          if (!started[s]) {
            started[s] = true;
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.writeBytes(HEAD);
            o.writeBytes(chunk(e.get(0)));
            w = o.toByteArray();
            next[s] = 1;
            urgent = true;
          } else if (next[s] < e.size()) {
            w = chunk(e.get(next[s]++));
          } else {
            w = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            next[s]++;
          }
          enc.write(s, w, 0, w.length);
          sent[s].writeBytes(w);
          due[s] += eventMs;
          if (nextFrame == Long.MAX_VALUE) {
            nextFrame = now + windowMs;
          }
        }
      }
      if (urgent || now >= nextFrame) {
        LinkEncoder.Frame f = enc.frame();
        for (int s = 0; s < n; s++) {
          if (enc.isOpen(s)) {
            f.add(s, Long.MAX_VALUE);
          }
        }
        byte[] p = f.commit();
        payload += p.length;
        frames++;
        dec.decode(p, 0, p.length, (id, b, off, len) -> got[id].write(b, off, len));
        nextFrame = Long.MAX_VALUE;
        for (int s = 0; s < n; s++) {
          if (enc.isOpen(s) && next[s] > evs.get(s).size() && enc.pending(s) == 0) {
            enc.close(s);
            dec.close(s);
            open--;
          }
        }
      }
      now++;
    }
    for (int s = 0; s < n; s++) {
      if (!java.util.Arrays.equals(sent[s].toByteArray(), got[s].toByteArray())) {
        throw new AssertionError("stream " + s + " differs");
      }
    }
    return new long[] {payload, frames, text};
  }

  public static void main(String[] args) throws Exception {
    String file = args.length > 0 ? args[0] : Corpus.ARENA_HARD;
    int streams = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    int bits = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 50;
    CodecModel model = Measure.train(file, bits);
    List<Corpus.Answer> test = Measure.heldOut(file);
    for (var f : Measure.families().entrySet()) {
      SplittableRandom r = new SplittableRandom(7);
      long pay = 0, frames = 0, text = 0;
      DecisionLog.byCategory = new long[BitCoding.MARKS];
      for (int batch = 0; batch < 4; batch++) {
        List<String> bodies = new ArrayList<>();
        List<Integer> texts = new ArrayList<>();
        for (int i = batch * streams; i < (batch + 1) * streams && i < test.size(); i++) {
          bodies.add(f.getValue().build(test.get(i).text(), r));
          texts.add(test.get(i).text().getBytes(StandardCharsets.UTF_8).length);
        }
        long[] res = run(model, bodies, texts, streams, window, 20);
        pay += res[0];
        frames += res[1];
        text += res[2];
      }
      System.out.printf(
          "%-14s %d streams, window %d ms: payload %.4f, +2 B/frame %.4f, +6 B/frame (CRC) %.4f,"
              + " +24 B/frame (TLS) %.4f per text byte; %.1f frames/s%n",
          f.getKey(),
          streams,
          window,
          pay / (double) text,
          (pay + 2 * frames) / (double) text,
          (pay + 6 * frames) / (double) text,
          (pay + 24 * frames) / (double) text,
          frames / 4.0 / 1.0);
      String[] names = {
        "unit",
        "shape",
        "newshape",
        "same",
        "type",
        "text",
        "bound",
        "form",
        "num",
        "id",
        "digits",
        "ref",
        "lit",
        "end"
      };
      StringBuilder sb = new StringBuilder("   ");
      long sum = 0;
      for (int k = 0; k < names.length; k++) {
        sum += DecisionLog.byCategory[k];
        sb.append(
            String.format(" %s %.4f", names[k], DecisionLog.byCategory[k] / 256.0 / 8 / text));
      }
      sb.append(String.format(" | frame overhead %.4f", (pay - sum / 256.0 / 8) / text));
      System.out.println(sb);
    }
  }
}
