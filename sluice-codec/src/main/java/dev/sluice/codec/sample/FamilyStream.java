package dev.sluice.codec.sample;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * One response body as a server writes it: {@code writes} are its writes in order (one SSE event or
 * NDJSON line each; a non-streamed body is one write), whose concatenation is the body. {@code
 * textPieces} are the model-text strings the writes carry, in order, unescaped: the token cuts.
 *
 * @param text the answer the stream was built from
 */
public record FamilyStream(
    Family family, List<byte[]> writes, List<String> textPieces, String text) {

  public FamilyStream {
    writes = List.copyOf(writes);
    textPieces = List.copyOf(textPieces);
  }

  /** The whole body: every write, concatenated. */
  public byte[] body() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(size());
    for (byte[] w : writes) {
      out.writeBytes(w);
    }
    return out.toByteArray();
  }

  /** Bytes in the body. */
  public int size() {
    int n = 0;
    for (byte[] w : writes) {
      n += w.length;
    }
    return n;
  }
}
