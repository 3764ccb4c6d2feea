package dev.sluice.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy, for tests, of how the demo upstream ({@code sluice-app}'s {@code dev.sluice.demo}
 * package: {@code ChunkEvents}, {@code SseStream}, {@code TokenBoundaries}) frames an answer as
 * OpenAI {@code chat.completion.chunk} server-sent events, written with Jackson's generator as the
 * demo does: a role chunk, one chunk per piece of about four characters, a finish chunk, the usage
 * chunk when asked for, and {@code data: [DONE]}.
 */
final class DemoFraming {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  /** What every chunk of one completion repeats. */
  record Meta(String id, long created, String model, String systemFingerprint) {

    /** A repeatable meta for stream number {@code n}: an OpenAI-like id from a SplitMix64. */
    static Meta of(long seed, long n, String model) {
      StringBuilder id = new StringBuilder("chatcmpl-");
      long state = seed ^ mix(n);
      for (int i = 0; i < 29; i++) {
        state = mix(state + 0x9E3779B97F4A7C15L);
        id.append(ALPHABET[(int) Long.remainderUnsigned(state, ALPHABET.length)]);
      }
      String fp = "fp_" + String.format("%010x", mix(seed) >>> 24);
      return new Meta(id.toString(), 1_763_000_000L + n * 7, model, fp);
    }
  }

  private DemoFraming() {}

  /** The events of one streamed completion of {@code text}, each as its exact bytes. */
  static List<byte[]> events(Meta meta, String text, boolean includeUsage) {
    List<byte[]> out = new ArrayList<>();
    out.add(chunk(meta, "assistant", "", null, includeUsage));
    for (String piece : pieces(text)) {
      out.add(chunk(meta, null, piece, null, includeUsage));
    }
    out.add(chunk(meta, null, null, "stop", includeUsage));
    if (includeUsage) {
      out.add(usage(meta, 17, Math.max(1, text.length() / 4)));
    }
    out.add("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
    return out;
  }

  /** The whole stream: the events concatenated. */
  static byte[] stream(Meta meta, String text, boolean includeUsage) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] e : events(meta, text, includeUsage)) {
      b.writeBytes(e);
    }
    return b.toByteArray();
  }

  /** The pieces {@code TokenBoundaries} splits {@code text} into. */
  static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < text.length(); ) {
      int end = next(text, i);
      out.add(text.substring(i, end));
      i = end;
    }
    return out;
  }

  private static byte[] chunk(
      Meta meta, String role, String content, String finishReason, boolean includeUsage) {
    return framed(
        g -> {
          g.writeStartObject();
          header(g, meta);
          g.writeArrayFieldStart("choices");
          g.writeStartObject();
          g.writeNumberField("index", 0);
          g.writeObjectFieldStart("delta");
          if (role != null) {
            g.writeStringField("role", role);
          }
          if (content != null) {
            g.writeStringField("content", content);
          }
          g.writeEndObject();
          g.writeNullField("logprobs");
          if (finishReason == null) {
            g.writeNullField("finish_reason");
          } else {
            g.writeStringField("finish_reason", finishReason);
          }
          g.writeEndObject();
          g.writeEndArray();
          if (includeUsage) {
            g.writeNullField("usage");
          }
          g.writeEndObject();
        });
  }

  private static byte[] usage(Meta meta, int prompt, int completion) {
    return framed(
        g -> {
          g.writeStartObject();
          header(g, meta);
          g.writeArrayFieldStart("choices");
          g.writeEndArray();
          g.writeObjectFieldStart("usage");
          g.writeNumberField("prompt_tokens", prompt);
          g.writeNumberField("completion_tokens", completion);
          g.writeNumberField("total_tokens", prompt + completion);
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  private static void header(JsonGenerator g, Meta meta) throws IOException {
    g.writeStringField("id", meta.id());
    g.writeStringField("object", "chat.completion.chunk");
    g.writeNumberField("created", meta.created());
    g.writeStringField("model", meta.model());
    g.writeStringField("system_fingerprint", meta.systemFingerprint());
  }

  @FunctionalInterface
  private interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] framed(JsonWriter w) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII));
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      w.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  // TokenBoundaries, copied.

  private static final int MAX_PIECE = 4;

  private static int next(String s, int start) {
    int n = s.length();
    int i = start;
    if (s.charAt(i) == '\n') {
      while (i < n && i - start < MAX_PIECE && s.charAt(i) == '\n') {
        i++;
      }
      return i;
    }
    if (startsWord(s, i)) {
      i++;
    }
    int cls = kind(s.codePointAt(i));
    int count = 0;
    while (i < n && count < MAX_PIECE) {
      int cp = s.codePointAt(i);
      if (cp == '\n' || kind(cp) != cls || (count > 0 && startsWord(s, i))) {
        break;
      }
      i += Character.charCount(cp);
      count++;
    }
    return i;
  }

  private static boolean startsWord(String s, int i) {
    return s.charAt(i) == ' '
        && i + 1 < s.length()
        && Character.isLetterOrDigit(s.codePointAt(i + 1));
  }

  private static int kind(int cp) {
    if (Character.isLetterOrDigit(cp)) {
      return 0;
    }
    return Character.isWhitespace(cp) ? 1 : 2;
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
