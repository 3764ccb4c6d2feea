package dev.sluice.detect.decode;

import java.util.Objects;

/**
 * What the content decoders share: the sink, input and output counts, the {@link ExpansionLimit}
 * and the failure that stops them. A subclass decodes in {@link #decode} and sends output through
 * {@link #output}, which refuses (and fails the decoder) past the limit.
 */
abstract class ContentDecoder implements Decoder {

  private final ByteSink sink;
  private final ExpansionLimit limit;
  private final String name;
  private long in;
  private long out;
  private String failure;

  ContentDecoder(String name, ByteSink sink, ExpansionLimit limit) {
    this.name = Objects.requireNonNull(name, "name");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.limit = Objects.requireNonNull(limit, "limit");
  }

  /** Decodes one piece; returns normally when it is consumed (or after {@link #fail}). */
  abstract void decode(byte[] b, int off, int len, long rawStart);

  /** Input ended; release native resources. */
  abstract void close();

  @Override
  public final void accept(byte[] b, int off, int len, long rawStart) {
    if (failure != null || len == 0) {
      return;
    }
    in += len;
    decode(b, off, len, rawStart);
  }

  /** Sends decoded bytes on; false (and the decoder failed) when they break the limit. */
  final boolean output(byte[] b, int off, int len, long rawStart) {
    if (failure != null) {
      return false;
    }
    out += len;
    if (!limit.allows(in, out)) {
      fail(
          "expands past the limit: "
              + out
              + " bytes from "
              + in
              + " (at most "
              + limit.allowance()
              + " + "
              + limit.ratio()
              + " per input byte)");
      return false;
    }
    sink.accept(b, off, len, rawStart);
    return true;
  }

  final void fail(String why) {
    if (failure == null) {
      failure = name + ", input byte " + in + ": " + why;
      close();
    }
  }

  final boolean failed() {
    return failure != null;
  }

  @Override
  public final String failure() {
    return failure;
  }

  @Override
  public final void end() {
    if (failure == null) {
      close();
    }
    sink.end();
  }
}
