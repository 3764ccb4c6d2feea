package dev.sluice.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@link LedgerIo} on {@link FileChannel}s; {@code force()} is {@code force(false)} (fdatasync).
 * Thread-safe factory; each channel is used by one thread at a time.
 */
final class FileIo implements LedgerIo {

  static final FileIo INSTANCE = new FileIo();

  private FileIo() {}

  @Override
  public IoChannel open(Path path, Mode mode) throws IOException {
    FileChannel ch =
        switch (mode) {
          case READ -> FileChannel.open(path, StandardOpenOption.READ);
          case READ_WRITE ->
              FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
          case CREATE_NEW ->
              FileChannel.open(
                  path,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE,
                  StandardOpenOption.CREATE_NEW);
        };
    return new Channel(ch, path);
  }

  private static final class Channel implements IoChannel {
    private final FileChannel ch;
    private final Path path;
    private FileLock lock;

    Channel(FileChannel ch, Path path) {
      this.ch = ch;
      this.path = path;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return ch.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      long pos = position;
      while (src.hasRemaining()) {
        pos += ch.write(src, pos);
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
      ch.force(false);
    }

    @Override
    public void lockExclusively() throws IOException {
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        throw new IOException(path + " is already open in this process", e);
      }
      if (lock == null) {
        throw new IOException(path + " is locked by another process");
      }
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }
}
