package dev.sluice.scan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;

/**
 * Speech as a speech endpoint returns it: espeak-ng (22.05 kHz, s16le WAV) reading this
 * repository's documentation in four voices (American English, a female English variant, German,
 * French) at two speeds; empty when espeak-ng is not installed.
 */
final class Speech {
  private Speech() {}

  static byte[] espeak() {
    Path espeak = Path.of("/usr/bin/espeak-ng");
    if (!Files.isExecutable(espeak)) {
      return new byte[0];
    }
    String text = docsText();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    String[][] voices = {{"en-us", "160"}, {"en+f3", "190"}, {"de", "150"}, {"fr", "175"}};
    int per = text.length() / voices.length;
    for (int v = 0; v < voices.length; v++) {
      String part = text.substring(v * per, Math.min(text.length(), v * per + 1800));
      try {
        Path t = Files.createTempFile("speech", ".txt");
        Files.writeString(t, part);
        Process p =
            new ProcessBuilder(
                    espeak.toString(),
                    "-v",
                    voices[v][0],
                    "-s",
                    voices[v][1],
                    "--stdout",
                    "-f",
                    t.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (InputStream in = p.getInputStream()) {
          out.writeBytes(in.readAllBytes());
        }
        p.waitFor();
        Files.delete(t);
      } catch (IOException e) {
        // a voice that fails is left out
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return HeldOutNegatives.head(out.toByteArray(), HeldOutNegatives.CAP);
  }

  /** This repository's docs/*.md, markup and all. */
  private static String docsText() {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> s = Files.list(Path.of("../docs"))) {
      for (Path p : s.filter(x -> x.toString().endsWith(".md")).sorted().toList()) {
        b.append(Files.readString(p, StandardCharsets.UTF_8)).append('\n');
      }
    } catch (IOException e) {
      return "no documentation found";
    }
    return b.toString();
  }

  /** s16le samples (a WAV header's 44 bytes included) as f32le in [-1, 1). */
  static byte[] toF32(byte[] s16) {
    ByteBuffer in = ByteBuffer.wrap(s16).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(s16.length / 2 * 4).order(ByteOrder.LITTLE_ENDIAN);
    while (in.remaining() >= 2) {
      out.putFloat(in.getShort() / 32768f);
    }
    return HeldOutNegatives.head(out.array(), HeldOutNegatives.CAP);
  }

  /** The WAV bytes as JSON responses carrying 256 KiB of audio each in base64. */
  static byte[] json(byte[] wav) {
    StringBuilder b = new StringBuilder();
    for (int at = 0; at < wav.length; at += 256 << 10) {
      byte[] part = java.util.Arrays.copyOfRange(wav, at, Math.min(wav.length, at + (256 << 10)));
      b.append("{\"id\":\"speech-")
          .append(at)
          .append("\",\"format\":\"wav\",\"audio\":\"")
          .append(Base64.getEncoder().encodeToString(part))
          .append("\"}\n");
    }
    return HeldOutNegatives.head(Wraps.ascii(b.toString()), HeldOutNegatives.CAP);
  }
}
