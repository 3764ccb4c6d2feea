package dev.sluice.scan;

import dev.sluice.detect.fingerprint.FingerprintIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Scans files with a {@link StreamScan} each, reading them in pieces of {@link #PIECE} bytes: a
 * file is never loaded whole, so files of any size (offsets are {@code long}) take the same memory.
 * Safe to use from one thread at a time; the index may be shared.
 */
public final class FileScanner {

  /** Bytes read at a time. */
  public static final int PIECE = 1 << 20;

  private final FingerprintIndex index;
  private final boolean tensors;
  private final ByteBuffer buffer = ByteBuffer.allocate(PIECE);

  /**
   * @param index the fingerprint index, or null
   * @param tensors whether the tensor detector runs
   */
  public FileScanner(FingerprintIndex index, boolean tensors) {
    if (index == null && !tensors) {
      throw new IllegalArgumentException("nothing to scan with: no index and no tensor detector");
    }
    this.index = index;
    this.tensors = tensors;
  }

  /** Scans {@code file} from its first byte to its end. */
  public ScanResult scan(Path file) throws IOException {
    StreamScan scan = new StreamScan(index, tensors);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (true) {
        buffer.clear();
        int n = ch.read(buffer);
        if (n < 0) {
          break;
        }
        scan.feed(buffer.array(), 0, n);
      }
    }
    return scan.end();
  }
}
