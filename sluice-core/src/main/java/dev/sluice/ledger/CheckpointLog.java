package dev.sluice.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The append side of {@code checkpoints.log}: writes one framed checkpoint and fsyncs it before it
 * becomes {@link #latest()}. Not thread-safe: used under the ledger's commit lock.
 */
final class CheckpointLog {

  private final IoChannel ch;
  private long end;
  private Checkpoint latest;

  /**
   * @param end offset just past the last valid frame
   * @param latest the last stored checkpoint, or null if there is none
   */
  CheckpointLog(IoChannel ch, long end, Checkpoint latest) {
    this.ch = ch;
    this.end = end;
    this.latest = latest;
  }

  /** Appends and fsyncs {@code c}; on an I/O error nothing is reported as stored. */
  void append(Checkpoint c) throws IOException {
    ByteBuffer frame = CheckpointsFile.frame(c.note());
    int length = frame.remaining();
    ch.write(frame, end);
    ch.force();
    end += length;
    latest = c;
  }

  /** Offset just past the last durable frame: where a repair cuts a torn frame back to. */
  long end() {
    return end;
  }

  /** The newest durable checkpoint, or null. */
  Checkpoint latest() {
    return latest;
  }

  IoChannel channel() {
    return ch;
  }
}
