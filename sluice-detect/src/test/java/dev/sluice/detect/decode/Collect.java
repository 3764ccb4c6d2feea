package dev.sluice.detect.decode;

import java.io.ByteArrayOutputStream;

/** A sink that keeps everything it is sent (tests only). */
final class Collect implements ByteSink {
  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  long firstRaw = -1;
  boolean ended;

  @Override
  public void accept(byte[] b, int off, int len, long rawStart) {
    if (firstRaw < 0) {
      firstRaw = rawStart;
    }
    bytes.write(b, off, len);
  }

  @Override
  public void end() {
    ended = true;
  }

  byte[] toByteArray() {
    return bytes.toByteArray();
  }

  /** Feeds {@code data} to {@code d} in pieces of 1..max bytes, then ends it. */
  static void feed(ByteSink d, byte[] data, java.util.Random r, int max) {
    int i = 0;
    while (i < data.length) {
      int n = Math.min(data.length - i, 1 + r.nextInt(max));
      d.accept(data, i, n, i);
      i += n;
    }
    d.end();
  }
}
