package dev.sluice.detect.decode;

import java.util.List;

/** Sends every piece to several sinks in order (the raw bytes and each decoding of them). */
public final class Fanout implements ByteSink {

  private final ByteSink[] sinks;

  public Fanout(List<? extends ByteSink> sinks) {
    this.sinks = sinks.toArray(new ByteSink[0]);
  }

  @Override
  public void accept(byte[] b, int off, int len, long rawStart) {
    for (ByteSink s : sinks) {
      s.accept(b, off, len, rawStart);
    }
  }

  @Override
  public void end() {
    for (ByteSink s : sinks) {
      s.end();
    }
  }
}
