package dev.sluice.detect.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Decoders for an HTTP {@code Content-Encoding} value: {@code gzip} (and {@code x-gzip}), {@code
 * deflate}, {@code zstd}, {@code br}; {@code identity} and an empty value decode nothing. The value
 * lists encodings in the order they were applied, so they are undone from the last to the first,
 * each decoder feeding the next. An encoding this class does not know ({@code compress}, {@code
 * dcb}, ...) gives a decoder that has failed from the start and says so, so the caller can decide
 * (block, alert) rather than scan bytes it cannot read.
 */
public final class ContentEncodings {

  private ContentEncodings() {}

  /** True when {@code value} names at least one encoding other than identity. */
  public static boolean isEncoded(String value) {
    return !names(value).isEmpty();
  }

  /**
   * A decoder undoing {@code value}'s encodings into {@code sink}, or null when there is nothing to
   * undo.
   */
  public static Decoder decoder(String value, ByteSink sink, ExpansionLimit limit) {
    Objects.requireNonNull(sink, "sink");
    List<String> names = names(value);
    if (names.isEmpty()) {
      return null;
    }
    ByteSink next = sink;
    List<Decoder> chain = new ArrayList<>();
    for (String name : names) {
      Decoder d = one(name, next, limit);
      chain.add(d);
      next = d;
    }
    return chain.size() == 1 ? chain.get(0) : new Chain(chain);
  }

  /** Decoders feeding each other; the failure is the first of any of them. */
  private static final class Chain implements Decoder {
    private final List<Decoder> decoders;
    private final Decoder outer;

    Chain(List<Decoder> decoders) {
      this.decoders = List.copyOf(decoders);
      this.outer = decoders.get(decoders.size() - 1);
    }

    @Override
    public void accept(byte[] b, int off, int len, long rawStart) {
      outer.accept(b, off, len, rawStart);
    }

    @Override
    public void end() {
      outer.end();
    }

    @Override
    public String failure() {
      for (int i = decoders.size() - 1; i >= 0; i--) {
        String f = decoders.get(i).failure();
        if (f != null) {
          return f;
        }
      }
      return null;
    }
  }

  private static List<String> names(String value) {
    List<String> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    for (String part : value.split(",")) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      if (!name.isEmpty() && !name.equals("identity")) {
        out.add(name);
      }
    }
    return out;
  }

  private static Decoder one(String name, ByteSink sink, ExpansionLimit limit) {
    return switch (name) {
      case "gzip", "x-gzip" -> InflateDecoder.gzip(sink, limit);
      case "deflate" -> InflateDecoder.deflate(sink, limit);
      case "zstd" -> new ZstdDecoder(sink, limit);
      case "br" -> new BrotliDecoder(sink, limit);
      default -> new Unsupported(name, sink);
    };
  }

  /** An encoding that cannot be undone: failed from the start, passes nothing on. */
  private static final class Unsupported implements Decoder {
    private final String name;
    private final ByteSink sink;

    Unsupported(String name, ByteSink sink) {
      this.name = name;
      this.sink = sink;
    }

    @Override
    public void accept(byte[] b, int off, int len, long rawStart) {}

    @Override
    public void end() {
      sink.end();
    }

    @Override
    public String failure() {
      return "content encoding " + name + " is not supported";
    }
  }
}
