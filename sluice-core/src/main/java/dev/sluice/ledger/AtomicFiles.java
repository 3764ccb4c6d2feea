package dev.sluice.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Creating a file so that after a crash it either does not exist or is complete: write a temporary
 * file, fsync it, rename it over the target, fsync the directory. Used for every small durable file
 * of a node (ledger headers and keys, the budget snapshot, the halt switches). Thread-safe:
 * stateless.
 */
public final class AtomicFiles {

  private AtomicFiles() {}

  /** Writes {@code parts} to {@code target} atomically with the standard file I/O. */
  public static void write(Path target, ByteBuffer... parts) throws IOException {
    write(LedgerIo.standard(), target, parts);
  }

  /** Writes {@code parts} to {@code target} atomically, through {@code io}. */
  static void write(LedgerIo io, Path target, ByteBuffer... parts) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try (IoChannel ch = io.open(tmp, LedgerIo.Mode.CREATE_NEW)) {
      long pos = 0;
      for (ByteBuffer p : parts) {
        int n = p.remaining();
        ch.write(p, pos);
        pos += n;
      }
      ch.force();
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(target.toAbsolutePath().getParent());
  }

  /** Makes the directory's entries (created, renamed files) durable. */
  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
