package dev.sluice.demo;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads how long an answer the user asked for from the prompt: the first integer followed by a
 * unit, as in "write 200 kB", "about 500 words", "2 MiB of text" or "300 tokens". Units: {@code B},
 * {@code byte(s)}, {@code kB}/{@code KB} (1000), {@code KiB}, {@code MB}, {@code MiB}, {@code
 * word(s)} (counted as 6 bytes) and {@code token(s)} (counted as 4 bytes). Integers only: this is a
 * demo's hint, not configuration.
 */
final class AnswerLength {
  private static final Pattern SIZE =
      Pattern.compile(
          "(?<![\\w.])(\\d{1,12})\\s*(bytes?|b|kb|kib|mb|mib|words?|tokens?)(?![\\w])",
          Pattern.CASE_INSENSITIVE);

  private AnswerLength() {}

  /** The requested answer size in bytes, if the prompt names one. */
  static OptionalLong requestedBytes(String prompt) {
    Matcher m = SIZE.matcher(prompt);
    if (!m.find()) {
      return OptionalLong.empty();
    }
    long n = Long.parseLong(m.group(1));
    long unit = unitBytes(m.group(2).toLowerCase(Locale.ROOT));
    return OptionalLong.of(n > Long.MAX_VALUE / unit ? Long.MAX_VALUE : n * unit);
  }

  private static long unitBytes(String unit) {
    switch (unit) {
      case "kb":
        return 1000;
      case "kib":
        return 1024;
      case "mb":
        return 1_000_000;
      case "mib":
        return 1 << 20;
      case "word":
      case "words":
        return 6;
      case "token":
      case "tokens":
        return 4;
      default:
        return 1;
    }
  }
}
