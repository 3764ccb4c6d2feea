package dev.sluice.detect.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Random access to a file through one small buffer (64 KiB), so a reader can walk the headers of a
 * file of many gigabytes without loading it: offsets are longs, and every read past the end of the
 * file is a {@link FormatException} naming the offset, never a partial value.
 */
final class FileWindow implements AutoCloseable {
  private static final int WINDOW = 64 * 1024;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final ByteBuffer buffer = ByteBuffer.allocate(WINDOW);
  private long bufferStart;
  private int bufferLength;

  private FileWindow(Path path, FileChannel channel) throws IOException {
    this.path = path;
    this.channel = channel;
    this.size = channel.size();
  }

  static FileWindow open(Path path) throws IOException {
    return new FileWindow(path, FileChannel.open(path, StandardOpenOption.READ));
  }

  Path path() {
    return path;
  }

  long size() {
    return size;
  }

  /** A {@link FormatException} about this file at {@code offset}. */
  FormatException error(long offset, String problem) {
    return new FormatException(path, offset, problem);
  }

  /** The unsigned byte at {@code pos}. */
  int byteAt(long pos) throws IOException {
    if (pos < bufferStart || pos >= bufferStart + bufferLength) {
      fill(pos);
    }
    return buffer.get((int) (pos - bufferStart)) & 0xff;
  }

  /** {@code n} bytes at {@code pos}; the caller bounds {@code n}. */
  byte[] bytes(long pos, int n) throws IOException {
    require(pos, n);
    byte[] out = new byte[n];
    ByteBuffer dst = ByteBuffer.wrap(out);
    long at = pos;
    while (dst.hasRemaining()) {
      int read = channel.read(dst, at);
      if (read < 0) {
        throw error(at, "unexpected end of file");
      }
      at += read;
    }
    return out;
  }

  String utf8(long pos, int n) throws IOException {
    return new String(bytes(pos, n), StandardCharsets.UTF_8);
  }

  int u16le(long pos) throws IOException {
    return byteAt(pos) | byteAt(pos + 1) << 8;
  }

  long u32le(long pos) throws IOException {
    return (long) byteAt(pos)
        | (long) byteAt(pos + 1) << 8
        | (long) byteAt(pos + 2) << 16
        | (long) byteAt(pos + 3) << 24;
  }

  long i64le(long pos) throws IOException {
    return u32le(pos) | u32le(pos + 4) << 32;
  }

  /** Fails unless {@code [pos, pos + n)} lies within the file. */
  void require(long pos, long n) throws FormatException {
    if (pos < 0 || n < 0 || pos > size || n > size - pos) {
      throw error(pos, "needs " + n + " bytes but the file has " + size);
    }
  }

  private void fill(long pos) throws IOException {
    if (pos < 0 || pos >= size) {
      throw error(pos, "unexpected end of file (file has " + size + " bytes)");
    }
    buffer.clear();
    long want = Math.min(WINDOW, size - pos);
    buffer.limit((int) want);
    long at = pos;
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, at);
      if (read < 0) {
        throw error(at, "unexpected end of file");
      }
      at += read;
    }
    bufferStart = pos;
    bufferLength = (int) want;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
