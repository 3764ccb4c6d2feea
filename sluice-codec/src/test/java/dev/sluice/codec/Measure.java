package dev.sluice.codec;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictCompress;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

/** Development harness: trains on a split, measures held-out streams of several shapes. */
public final class Measure {
  static final Encoding ENC =
      Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  static List<String> tokens(String text) {
    IntArrayList t = ENC.encode(text);
    List<String> out = new ArrayList<>();
    ByteArrayOutputStream cur = new ByteArrayOutputStream();
    for (int i = 0; i < t.size(); i++) {
      IntArrayList one = new IntArrayList();
      one.add(t.get(i));
      cur.writeBytes(ENC.decodeBytes(one));
      byte[] c = cur.toByteArray();
      if (Utf8.valid(c, 0, c.length)) {
        out.add(new String(c, StandardCharsets.UTF_8));
        cur.reset();
      }
    }
    if (cur.size() > 0) {
      out.add(new String(cur.toByteArray(), StandardCharsets.UTF_8));
    }
    return out;
  }

  static String js(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  static String py(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  static final String B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  static String rnd(SplittableRandom r, String alphabet, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  static String openai(String text, SplittableRandom r, boolean usage) {
    String id = "chatcmpl-" + rnd(r, B62, 29);
    long created = 1_741_000_000L + r.nextInt(10_000_000);
    String head =
        "data: {\"id\":\""
            + id
            + "\",\"object\":\"chat.completion.chunk\",\"created\":"
            + created
            + ",\"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\","
            + "\"system_fingerprint\":\"fp_"
            + rnd(r, "0123456789abcdef", 10)
            + "\",\"choices\":[{\"index\":0,\"delta\":";
    String tail =
        ",\"logprobs\":null,\"finish_reason\":null}]" + (usage ? ",\"usage\":null" : "") + "}\n\n";
    StringBuilder b = new StringBuilder();
    b.append(head)
        .append("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}")
        .append(tail);
    List<String> toks = tokens(text);
    for (String t : toks) {
      b.append(head).append("{\"content\":").append(js(t)).append("}").append(tail);
    }
    b.append(head)
        .append("{},\"logprobs\":null,\"finish_reason\":\"stop\"}]")
        .append(usage ? ",\"usage\":null" : "")
        .append("}\n\n");
    if (usage) {
      int p = 20 + r.nextInt(400);
      b.append(head.substring(0, head.indexOf("\"choices\"")))
          .append("\"choices\":[],\"usage\":{\"prompt_tokens\":")
          .append(p)
          .append(",\"completion_tokens\":")
          .append(toks.size())
          .append(",\"total_tokens\":")
          .append(p + toks.size())
          .append(
              ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                  + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
                  + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n");
    }
    b.append("data: [DONE]\n\n");
    return b.toString();
  }

  static String python(String text, SplittableRandom r) {
    String id = "chatcmpl-" + rnd(r, "0123456789abcdef", 32);
    long created = 1_741_000_000L + r.nextInt(10_000_000);
    String head =
        "data: {\"id\": \""
            + id
            + "\", \"object\": \"chat.completion.chunk\", \"created\": "
            + created
            + ", \"model\": \"my-model\", \"choices\": [{\"index\": 0, \"delta\": ";
    String tail = ", \"finish_reason\": null}]}\r\n\r\n";
    StringBuilder b = new StringBuilder();
    b.append(head).append("{\"role\": \"assistant\"}").append(tail);
    for (String t : tokens(text)) {
      b.append(head).append("{\"content\": ").append(py(t)).append("}").append(tail);
    }
    b.append(head).append("{}, \"finish_reason\": \"stop\"}]}\r\n\r\n");
    b.append("data: [DONE]\r\n\r\n");
    return b.toString();
  }

  static String anthropic(String text, SplittableRandom r) {
    StringBuilder b = new StringBuilder();
    String id = "msg_01" + rnd(r, B62, 22);
    b.append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"")
        .append(id)
        .append(
            "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-3-5-sonnet-20241022\","
                + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
                + "{\"input_tokens\":")
        .append(10 + r.nextInt(500))
        .append(
            ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n");
    b.append(
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
    b.append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
    List<String> toks = tokens(text);
    int i = 0;
    while (i < toks.size()) {
      int n = 1 + r.nextInt(4);
      StringBuilder d = new StringBuilder();
      for (int k = 0; k < n && i < toks.size(); k++) {
        d.append(toks.get(i++));
      }
      b.append(
              "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                  + "\"delta\":{\"type\":\"text_delta\",\"text\":")
          .append(js(d.toString()))
          .append("}}\n\n");
    }
    b.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
    b.append(
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":")
        .append(toks.size())
        .append("}}\n\n");
    b.append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    return b.toString();
  }

  static String responses(String text, SplittableRandom r) {
    String hex = "0123456789abcdef";
    String rid = "resp_" + rnd(r, hex, 48);
    String mid = "msg_" + rnd(r, hex, 48);
    long created = 1_741_000_000L + r.nextInt(10_000_000);
    int[] seq = {0};
    StringBuilder b = new StringBuilder();
    String resp =
        "{\"id\":\""
            + rid
            + "\",\"object\":\"response\",\"created_at\":"
            + created
            + ",\"status\":\"%s\",\"background\":false,\"error\":null,\"incomplete_details\":null,"
            + "\"instructions\":null,\"max_output_tokens\":null,\"model\":\"gpt-4.1-2025-04-14\","
            + "\"output\":%s,\"parallel_tool_calls\":true,\"previous_response_id\":null,"
            + "\"reasoning\":{\"effort\":null,\"summary\":null},\"service_tier\":\"auto\","
            + "\"store\":true,\"temperature\":1.0,\"text\":{\"format\":{\"type\":\"text\"}},"
            + "\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,\"truncation\":\"disabled\","
            + "\"usage\":%s,\"user\":null,\"metadata\":{}}";
    ev(
        b,
        "response.created",
        seq,
        "\"response\":" + String.format(resp, "in_progress", "[]", "null"));
    ev(
        b,
        "response.in_progress",
        seq,
        "\"response\":" + String.format(resp, "in_progress", "[]", "null"));
    ev(
        b,
        "response.output_item.added",
        seq,
        "\"output_index\":0,\"item\":{\"id\":\""
            + mid
            + "\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}");
    ev(
        b,
        "response.content_part.added",
        seq,
        "\"item_id\":\""
            + mid
            + "\",\"output_index\":0,\"content_index\":0,"
            + "\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"\"}");
    List<String> toks = tokens(text);
    for (String t : toks) {
      ev(
          b,
          "response.output_text.delta",
          seq,
          "\"item_id\":\""
              + mid
              + "\",\"output_index\":0,\"content_index\":0,\"delta\":"
              + js(t)
              + ",\"logprobs\":[]");
    }
    ev(
        b,
        "response.output_text.done",
        seq,
        "\"item_id\":\""
            + mid
            + "\",\"output_index\":0,\"content_index\":0,\"text\":"
            + js(text)
            + ",\"logprobs\":[]");
    String part =
        "{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":" + js(text) + "}";
    ev(
        b,
        "response.content_part.done",
        seq,
        "\"item_id\":\"" + mid + "\",\"output_index\":0,\"content_index\":0,\"part\":" + part);
    String item =
        "{\"id\":\""
            + mid
            + "\",\"type\":\"message\",\"status\":\"completed\",\"content\":["
            + part
            + "],\"role\":\"assistant\"}";
    ev(b, "response.output_item.done", seq, "\"output_index\":0,\"item\":" + item);
    int p = 20 + r.nextInt(400);
    String usage =
        "{\"input_tokens\":"
            + p
            + ",\"input_tokens_details\":{\"cached_tokens\":0},"
            + "\"output_tokens\":"
            + toks.size()
            + ",\"output_tokens_details\":{\"reasoning_tokens\":0},"
            + "\"total_tokens\":"
            + (p + toks.size())
            + "}";
    ev(
        b,
        "response.completed",
        seq,
        "\"response\":" + String.format(resp, "completed", "[" + item + "]", usage));
    return b.toString();
  }

  private static void ev(StringBuilder b, String type, int[] seq, String rest) {
    b.append("event: ")
        .append(type)
        .append("\ndata: {\"type\":\"")
        .append(type)
        .append("\",\"sequence_number\":")
        .append(seq[0]++)
        .append(",")
        .append(rest)
        .append("}\n\n");
  }

  static String ollama(String text, SplittableRandom r) {
    long t = 1_733_000_000_000_000_000L + r.nextLong(1_000_000_000_000_000L);
    StringBuilder b = new StringBuilder();
    List<String> toks = tokens(text);
    for (String tok : toks) {
      t += 15_000_000L + r.nextInt(25_000_000);
      b.append("{\"model\":\"llama3.2\",\"created_at\":\"")
          .append(ts(t))
          .append("\",\"response\":")
          .append(js(tok))
          .append(",\"done\":false}\n");
    }
    t += 1_000_000L + r.nextInt(5_000_000);
    b.append("{\"model\":\"llama3.2\",\"created_at\":\"")
        .append(ts(t))
        .append("\",\"response\":\"\",\"done\":true,\"done_reason\":\"stop\",\"total_duration\":")
        .append(1_000_000_000L + r.nextInt(1_000_000_000))
        .append(",\"load_duration\":")
        .append(10_000_000 + r.nextInt(50_000_000))
        .append(",\"prompt_eval_count\":")
        .append(20 + r.nextInt(300))
        .append(",\"prompt_eval_duration\":")
        .append(10_000_000 + r.nextInt(90_000_000))
        .append(",\"eval_count\":")
        .append(toks.size())
        .append(",\"eval_duration\":")
        .append(900_000_000L + r.nextInt(900_000_000))
        .append("}\n");
    return b.toString();
  }

  static String ts(long nanos) {
    java.time.Instant i =
        java.time.Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    String s = java.time.format.DateTimeFormatter.ISO_INSTANT.format(i);
    // Go's RFC3339Nano trims trailing zeros; with microsecond jitter the last 3 digits are zeros.
    return s;
  }

  interface Builder {
    String build(String text, SplittableRandom r);
  }

  static List<Corpus.Answer> heldOut(String file) throws Exception {
    return split(file, true);
  }

  static List<Corpus.Answer> split(String file, boolean held) throws Exception {
    List<Corpus.Answer> out = new ArrayList<>();
    for (Corpus.Answer a : Corpus.read(file)) {
      long h = 0xcbf29ce484222325L;
      for (byte x : a.prompt().getBytes(StandardCharsets.UTF_8)) {
        h = (h ^ (x & 0xff)) * 0x100000001b3L;
      }
      if ((Long.remainderUnsigned(h, 10) == 0) == held) {
        out.add(a);
      }
    }
    return out;
  }

  static Map<String, Builder> families() {
    Map<String, Builder> fams = new LinkedHashMap<>();
    String only = System.getProperty("family");
    for (dev.sluice.codec.sample.Family f : dev.sluice.codec.sample.Family.values()) {
      if (only != null && !only.contains(f.id())) {
        continue;
      }
      fams.put(
          f.id(),
          (t, r) -> {
            long created =
                dev.sluice.codec.sample.SampleOptions.DEFAULT_CREATED + r.nextInt(1 << 26);
            var o =
                dev.sluice.codec.sample.SampleOptions.defaults()
                    .withCreated(created)
                    .withPromptTokens(5 + r.nextInt(900));
            var st = f.build(t, dev.sluice.codec.sample.Tokenizer.o200k(), r, o);
            return new String(
                Boolean.getBoolean("http")
                    ? dev.sluice.codec.sample.HttpFraming.response(st, created)
                    : st.body(),
                StandardCharsets.ISO_8859_1);
          });
    }
    return fams;
  }

  static CodecModel train(String file, int bits) throws Exception {
    List<Corpus.Answer> train = split(file, false);
    long t0 = System.nanoTime();
    ModelTrainer tr = new ModelTrainer().tableBits(bits);
    String only = System.getProperty("family");
    if (only != null) {
      // A family left out is left out of the framed tuning texts too: the model never saw it.
      List<dev.sluice.codec.sample.Family> fs = new ArrayList<>();
      for (dev.sluice.codec.sample.Family f : dev.sluice.codec.sample.Family.values()) {
        if (only.contains(f.id())) {
          fs.add(f);
        }
      }
      tr.families(fs);
    }
    SplittableRandom rr = new SplittableRandom(99);
    List<Builder> fl = new ArrayList<>(families().values());
    for (int i = 0; i < train.size(); i++) {
      if (i % 20 == 19 && Boolean.parseBoolean(System.getProperty("streams", "false"))) {
        tr.addStream(
            fl.get(i / 20 % fl.size())
                .build(train.get(i).text(), rr)
                .getBytes(StandardCharsets.UTF_8));
      } else {
        tr.add(train.get(i).text());
      }
    }
    CodecModel model = CodecModel.fromBytes(tr.build(TrainingProgress.NONE), "measure");
    System.out.printf(
        "trained in %.1fs: %s%n", (System.nanoTime() - t0) / 1e9, model.description());
    return model;
  }

  public static void main(String[] args) throws Exception {
    String file = args.length > 0 ? args[0] : Corpus.ARENA_HARD;
    int streams = args.length > 1 ? Integer.parseInt(args[1]) : 150;
    int bits = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    List<Corpus.Answer> test = heldOut(file);
    Map<String, Builder> fams = families();
    String measureOnly = System.getProperty("measure");
    String modelFile = System.getProperty("model");
    CodecModel model =
        modelFile != null ? CodecModel.read(java.nio.file.Path.of(modelFile)) : train(file, bits);
    if (measureOnly != null) {
      System.setProperty("family", measureOnly);
      fams = families();
    }
    ZstdDictCompress dict = new ZstdDictCompress(model.zstdDictionary(), 19);
    for (Map.Entry<String, Builder> f : fams.entrySet()) {
      long text = 0, in = 0, wire = 0, z19 = 0, gz = 0;
      long enc = 0, dec = 0;
      DecisionLog.byCategory = new long[BitCoding.MARKS];
      SplittableRandom r = new SplittableRandom(7);
      for (int i = 0; i < Math.min(streams, test.size()); i++) {
        String answer = test.get(i).text();
        byte[] s = f.getValue().build(answer, r).getBytes(StandardCharsets.ISO_8859_1);
        text += answer.getBytes(StandardCharsets.UTF_8).length;
        in += s.length;
        long a = System.nanoTime();
        StreamEncoder e = new StreamEncoder(model);
        int off = 0;
        List<byte[]> segs = new ArrayList<>();
        // -Dlines=N: a segment after every N line ends, as a live link's frames cut a stream
        int lines = Integer.getInteger("lines", 0);
        while (off < s.length) {
          int end = s.length;
          if (lines > 0) {
            int seen = 0;
            for (end = off; end < s.length && seen < lines; end++) {
              if (s[end] == '\n') {
                seen++;
              }
            }
          }
          while (off < end) {
            off += e.write(s, off, end - off);
            if (e.pendingBytes() == StreamEncoder.MAX_SEGMENT_INPUT) {
              segs.add(e.flush());
            }
          }
          if (lines > 0 && e.pendingBytes() > 0) {
            segs.add(e.flush());
          }
        }
        if (segs.isEmpty() || e.pendingBytes() > 0) {
          segs.add(e.flush());
        }
        long b = System.nanoTime();
        StreamDecoder d = new StreamDecoder(model);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] seg : segs) {
          wire += seg.length;
          o.writeBytes(d.decode(seg, 0, seg.length));
        }
        long c = System.nanoTime();
        enc += b - a;
        dec += c - b;
        if (!java.util.Arrays.equals(o.toByteArray(), s)) {
          throw new AssertionError(f.getKey() + " stream " + i + " differs");
        }
        z19 += Zstd.compress(s, dict).length;
        Deflater df = new Deflater(6);
        df.setInput(s);
        df.finish();
        byte[] buf = new byte[s.length + 100];
        gz += df.deflate(buf) + 18;
      }
      System.out.printf(
          "%-14s text %8d in %9d  sluice %.4f  zstd19+dict %.4f  gzip %.4f  enc %.1f MB/s dec %.1f MB/s%n",
          f.getKey(),
          text,
          in,
          wire / (double) text,
          z19 / (double) text,
          gz / (double) text,
          in / (enc / 1e3),
          in / (dec / 1e3));
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
      for (int k = 0; k < names.length; k++) {
        sb.append(
            String.format(" %s %.4f", names[k], DecisionLog.byCategory[k] / 256.0 / 8 / text));
      }
      System.out.println(sb);
    }
  }
}
