package dev.sluice.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Frames training text as OpenAI chat-completion SSE streams, so the trainer can tune the envelope
 * and chunk-boundary models, which plain text does not teach. Chunks follow a generic word-piece
 * rule (a leading space and up to six letters, digits in threes, other characters alone), not any
 * real tokenizer: the boundary model starts from this and adapts to the stream it sees.
 */
final class SyntheticStreams {
  private SyntheticStreams() {}

  private static final String[] MODELS = {
    "gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4o-2024-08-06", "o4-mini"
  };
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  /** Frames UTF-8 text (escaped here as a JSON string). */
  static byte[] frameText(byte[] utf8, SplittableRandom rnd) {
    return frame(JsonText.escape(new String(utf8, StandardCharsets.UTF_8)), rnd);
  }

  static byte[] frame(byte[] escapedText, SplittableRandom rnd) {
    StringBuilder id = new StringBuilder("chatcmpl-");
    for (int i = 0; i < 29; i++) {
      id.append(ALPHABET[rnd.nextInt(ALPHABET.length)]);
    }
    String head =
        "data: {\"id\":\""
            + id
            + "\",\"object\":\"chat.completion.chunk\",\"created\":"
            + (1_700_000_000L + rnd.nextInt(100_000_000))
            + ",\"model\":\""
            + MODELS[rnd.nextInt(MODELS.length)]
            + "\",\"system_fingerprint\":\"fp_"
            + String.format("%010x", rnd.nextLong() >>> 24)
            + "\",\"choices\":[{\"index\":0,\"delta\":{";
    String tail = "},\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream(escapedText.length * 60);
    out.writeBytes(
        (head + "\"role\":\"assistant\",\"content\":\"\"" + tail).getBytes(StandardCharsets.UTF_8));
    byte[] h = (head + "\"content\":\"").getBytes(StandardCharsets.UTF_8);
    byte[] t = ("\"" + tail).getBytes(StandardCharsets.UTF_8);
    int i = 0;
    while (i < escapedText.length) {
      int e = next(escapedText, i);
      out.writeBytes(h);
      out.write(escapedText, i, e - i);
      out.writeBytes(t);
      i = e;
    }
    out.writeBytes(
        (head + "},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n")
            .replace("\"delta\":{}", "\"delta\":{}")
            .getBytes(StandardCharsets.UTF_8));
    out.writeBytes("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** The end of the chunk that starts at {@code i}. */
  static int next(byte[] s, int i) {
    int n = s.length;
    int c = s[i] & 0xFF;
    if (c == '\\') {
      // An escape stays whole: backslash-n, backslash-quote, backslash-u and four hex digits.
      int e = Math.min(n, i + (i + 1 < n && s[i + 1] == 'u' ? 6 : 2));
      return e;
    }
    int j = i;
    if (c == ' ' && i + 1 < n && isLetter(s[i + 1])) {
      j++;
    }
    if (isLetter(s[j])) {
      int k = j;
      while (k < n && isLetter(s[k]) && k - j < 6) {
        k++;
      }
      return k;
    }
    if (s[j] >= '0' && s[j] <= '9') {
      int k = j;
      while (k < n && s[k] >= '0' && s[k] <= '9' && k - j < 3) {
        k++;
      }
      return k;
    }
    if (c >= 0x80) {
      int k = i + 1;
      while (k < n && (s[k] & 0xC0) == 0x80) {
        k++;
      }
      return k;
    }
    return i + 1;
  }

  private static boolean isLetter(byte b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
  }
}
