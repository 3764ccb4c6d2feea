package dev.sluice.demo;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes JSON straight into a pooled {@link ByteBuf} with Jackson's streaming generator, so a
 * response or an SSE event is encoded once, in the order a client sees its fields, without an
 * intermediate string. The buffer is released if writing fails.
 */
final class JsonBuffers {

  /** What to write: one JSON value through the generator. */
  @FunctionalInterface
  interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }

  private static final JsonFactory FACTORY =
      JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
  private static final byte[] NONE = new byte[0];

  private JsonBuffers() {}

  /** A new buffer holding the JSON value that {@code json} writes. */
  static ByteBuf json(ByteBufAllocator alloc, JsonWriter json) {
    return framed(alloc, NONE, json, NONE);
  }

  /** A new buffer holding {@code prefix}, the JSON value, then {@code suffix}. */
  static ByteBuf framed(ByteBufAllocator alloc, byte[] prefix, JsonWriter json, byte[] suffix) {
    ByteBuf buf = alloc.buffer();
    boolean done = false;
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      out.write(prefix);
      try (JsonGenerator g = FACTORY.createGenerator((OutputStream) out)) {
        json.write(g);
      }
      out.write(suffix);
      done = true;
      return buf;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (!done) {
        buf.release();
      }
    }
  }
}
