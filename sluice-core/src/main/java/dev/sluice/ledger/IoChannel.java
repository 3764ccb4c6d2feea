package dev.sluice.ledger;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The file operations the ledger performs on {@code entries.log} and {@code checkpoints.log}. It
 * exists so tests can inject I/O errors and simulated crashes (see {@link LedgerIo}); production
 * uses a {@link java.nio.channels.FileChannel}. Implementations need not be thread-safe: each
 * channel is used by one thread at a time.
 */
public interface IoChannel extends Closeable {

  /** Reads up to {@code dst.remaining()} bytes at {@code position}; -1 at end of file. */
  int read(ByteBuffer dst, long position) throws IOException;

  /** Writes all remaining bytes of {@code src} at {@code position}. */
  void write(ByteBuffer src, long position) throws IOException;

  long size() throws IOException;

  void truncate(long size) throws IOException;

  /** Makes written data and the file size durable ({@code fdatasync}). */
  void force() throws IOException;

  /** Takes an exclusive advisory lock for the channel's lifetime; throws if someone holds it. */
  void lockExclusively() throws IOException;

  /** Reads until {@code dst} is full or the file ends; returns the number of bytes read. */
  default int readFully(ByteBuffer dst, long position) throws IOException {
    int total = 0;
    while (dst.hasRemaining()) {
      int n = read(dst, position + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }
}
