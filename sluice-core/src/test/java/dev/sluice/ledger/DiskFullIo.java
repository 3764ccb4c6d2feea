package dev.sluice.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link LedgerIo} over real files whose "disk" can fill up: after {@link #fillAfter(long)} only
 * that many more bytes can be written; the write that needs more writes the prefix that fits (a
 * partial write, as the kernel does) and then fails with {@code IOException("No space left on
 * device")}, like every later write and fsync, until {@link #free()}. Truncation always succeeds
 * (it never needs space) but gives no room back, so the disk stays full until freed. Thread-safe.
 */
public final class DiskFullIo implements LedgerIo {

  /** The message Linux gives for ENOSPC. */
  public static final String ENOSPC = "No space left on device";

  private static final long UNLIMITED = Long.MAX_VALUE;

  private final LedgerIo real = LedgerIo.standard();
  private final AtomicLong room = new AtomicLong(UNLIMITED);
  private final AtomicInteger failures = new AtomicInteger();

  /** Lets only {@code bytes} more bytes be written; the write that needs more fails part-way. */
  public void fillAfter(long bytes) {
    room.set(bytes);
  }

  /** Frees the disk: writes and fsyncs succeed again. */
  public void free() {
    room.set(UNLIMITED);
  }

  /** Operations that failed for lack of space so far. */
  public int failures() {
    return failures.get();
  }

  @Override
  public IoChannel open(Path path, Mode mode) throws IOException {
    return new Channel(real.open(path, mode));
  }

  private IOException full() {
    failures.incrementAndGet();
    return new IOException(ENOSPC);
  }

  private final class Channel implements IoChannel {
    private final IoChannel ch;

    Channel(IoChannel ch) {
      this.ch = ch;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return ch.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      long left = room.get();
      if (left == UNLIMITED) {
        ch.write(src, position);
        return;
      }
      int fits = (int) Math.min(left, src.remaining());
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + fits);
      ch.write(part, position);
      room.addAndGet(-fits);
      if (fits < src.remaining()) {
        throw full();
      }
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public void truncate(long size) throws IOException {
      ch.truncate(size);
    }

    @Override
    public void force() throws IOException {
      if (room.get() == 0) {
        throw full(); // delayed allocation: the fsync of a full disk fails too
      }
      ch.force();
    }

    @Override
    public void lockExclusively() throws IOException {
      ch.lockExclusively();
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }
}
