package dev.sluice.detect.decode;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.nio.ByteBuffer;

/**
 * {@code Content-Encoding: zstd} (RFC 8878), frames one after another, through zstd-jni's streaming
 * decompression: input is copied into a 64 KiB direct buffer, output drained from another, so the
 * memory is the two buffers and zstd's window (zstd's own decoder refuses frames asking for a
 * window above 128 MiB; zstd-jni offers no lower cap, so a stream may cost up to that while it
 * lasts).
 */
public final class ZstdDecoder extends ContentDecoder {

  private static final int BUFFER = 1 << 16;

  private ZstdDecompressCtx ctx = new ZstdDecompressCtx();
  private final ByteBuffer src = ByteBuffer.allocateDirect(BUFFER);
  private final ByteBuffer dst = ByteBuffer.allocateDirect(BUFFER);
  private final byte[] copy = new byte[BUFFER];

  public ZstdDecoder(ByteSink sink, ExpansionLimit limit) {
    super("zstd", sink, limit);
  }

  @Override
  void decode(byte[] b, int off, int len, long rawStart) {
    int i = off;
    int end = off + len;
    try {
      while (i < end && !failed()) {
        src.clear();
        int n = Math.min(end - i, src.capacity());
        src.put(b, i, n).flip();
        i += n;
        while (!failed()) {
          dst.clear();
          ctx.decompressDirectByteBufferStream(dst, src);
          dst.flip();
          int produced = dst.remaining();
          if (produced > 0) {
            dst.get(copy, 0, produced);
            if (!output(copy, 0, produced, rawStart)) {
              return;
            }
          }
          if (!src.hasRemaining() && produced < dst.capacity()) {
            break;
          }
        }
      }
    } catch (ZstdException e) {
      fail("corrupt: " + e.getMessage());
    }
  }

  @Override
  void close() {
    if (ctx != null) {
      ctx.close();
      ctx = null;
    }
  }
}
