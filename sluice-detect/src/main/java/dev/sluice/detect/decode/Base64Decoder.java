package dev.sluice.detect.decode;

/**
 * Base64 in the middle of anything: standard ({@code +/}) and URL-safe ({@code -_}) alphabets at
 * once, line breaks (CR, LF) ignored, padding or any other byte ending a run. Each run is decoded
 * from its first character, so an encoded payload is restored exactly whatever the byte phase of
 * the weights inside it; a run glued to preceding alphabet characters (text that is itself
 * alphanumeric, right before the encoding) decodes out of phase and is not seen. Runs shorter than
 * {@code minRun} characters are dropped ({@link AlphabetRuns}).
 */
public final class Base64Decoder extends AlphabetRuns {

  private static final byte[] TABLE = new byte[256];

  static {
    java.util.Arrays.fill(TABLE, BREAK);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; i++) {
      TABLE[alphabet.charAt(i)] = (byte) i;
    }
    TABLE['-'] = 62;
    TABLE['_'] = 63;
    TABLE['\r'] = SKIP;
    TABLE['\n'] = SKIP;
  }

  private int bits;
  private int count;

  public Base64Decoder(ByteSink sink, int minRun) {
    super(sink, minRun);
  }

  @Override
  byte[] table() {
    return TABLE;
  }

  @Override
  void value(int v, long rawStart) {
    bits = (bits << 6) | v;
    if (++count == 4) {
      emit(bits >>> 16 & 0xFF, rawStart);
      emit(bits >>> 8 & 0xFF, rawStart);
      emit(bits & 0xFF, rawStart);
      bits = 0;
      count = 0;
    }
  }

  @Override
  void endRun(long rawStart) {
    if (count == 2) {
      emit(bits >>> 4 & 0xFF, rawStart);
    } else if (count == 3) {
      emit(bits >>> 10 & 0xFF, rawStart);
      emit(bits >>> 2 & 0xFF, rawStart);
    }
    bits = 0;
    count = 0;
  }
}
