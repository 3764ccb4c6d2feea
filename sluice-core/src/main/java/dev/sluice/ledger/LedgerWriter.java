package dev.sluice.ledger;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The group-commit writer: the one thread that appends to {@code entries.log}. It drains the {@link
 * AppendQueue} into a batch of at most {@code maxBatchBytes}, writes it, fsyncs once, extends the
 * Merkle frontier and only then completes the batch's futures. It signs a checkpoint when the tree
 * grew and the interval has passed (before completing the batch, so a caller that saw its append
 * complete also sees the checkpoint), and once more on close.
 *
 * <p>Any I/O error fails the writer for good: the batch and everything queued complete
 * exceptionally, later appends are refused. Fsync is never retried.
 *
 * <p>Thread-safety: the durable state (end offset, entry count, frontier, latest checkpoint) is
 * guarded by {@link #lock}, which the writer holds for a whole commit; {@link #position()}, {@link
 * #checkpointIfGrown()} and {@link #closeFiles()} take it from other threads. {@link #size()} and
 * {@link #failure()} are lock-free reads.
 */
final class LedgerWriter implements Runnable {

  private final AppendQueue queue;
  private final LedgerFiles files;
  private final CheckpointLog checkpoints;
  private final NoteSigner signer;
  private final Clock clock;
  private final long intervalNanos;
  private final int maxBatchBytes;

  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final ByteBuffer batch;
  private final EntriesFile.RecordEncoder encoder = new EntriesFile.RecordEncoder();
  private final MerkleHasher hasher = new MerkleHasher();
  private final List<AppendQueue.Pending> drained = new ArrayList<>();

  // Durable state, guarded by lock.
  private final CompactRange frontier;
  private final byte[] lastLeaf = new byte[Hash.SIZE];
  private long end;
  private long lastRecordOffset;
  private long lastCheckpointNanos;
  private boolean filesClosed;
  private volatile long count;

  LedgerWriter(
      AppendQueue queue,
      LedgerFiles files,
      LedgerRecovery.Result recovered,
      NoteSigner signer,
      Clock clock,
      LedgerOptions options) {
    this.queue = queue;
    this.files = files;
    this.checkpoints = recovered.checkpoints();
    this.signer = signer;
    this.clock = clock;
    this.intervalNanos = options.checkpointInterval().toNanos();
    this.maxBatchBytes = files.header().maxBatchBytes();
    this.batch = ByteBuffer.allocateDirect(maxBatchBytes);
    this.frontier = recovered.frontier();
    this.end = recovered.end();
    this.count = recovered.count();
    this.lastRecordOffset = recovered.lastRecordOffset();
    recovered.lastLeaf().copyTo(lastLeaf, 0);
    this.lastCheckpointNanos = clock.nanos();
  }

  @Override
  public void run() {
    try {
      boolean open = true;
      while (open) {
        drained.clear();
        open = queue.drain(drained, maxBatchBytes, nanosUntilCheckpoint());
        if (!drained.isEmpty()) {
          long first = commit(drained);
          for (int i = 0; i < drained.size(); i++) {
            drained.get(i).done().complete(first + i);
          }
        } else if (open) {
          checkpointIfDue();
        }
      }
      drained.clear();
      checkpointIfGrown();
    } catch (Throwable t) {
      fail(t);
      LedgerUnavailableException e = unavailable();
      drained.forEach(p -> p.done().completeExceptionally(e));
      if (t instanceof Error err) {
        throw err;
      }
    }
  }

  /** Writes one entry synchronously (used at open, before the thread starts). */
  IndexedEntry appendNow(LedgerEntry entry) throws IOException {
    long offset = end;
    long index = commit(List.of(new AppendQueue.Pending(EntryCodec.encode(entry), null)));
    return new IndexedEntry(index, offset, entry);
  }

  /**
   * Signs and stores a checkpoint if the durable tree outgrew the latest one; returns the latest.
   */
  Checkpoint checkpointIfGrown() throws IOException {
    lock.lock();
    try {
      checkUsable();
      Checkpoint latest = checkpoints.latest();
      if (latest == null || latest.size() < count) {
        Checkpoint c = Checkpoint.sign(signer, count, frontier.root(), clock.millis());
        checkpoints.append(c);
        lastCheckpointNanos = clock.nanos();
        return c;
      }
      return latest;
    } finally {
      lock.unlock();
    }
  }

  /** Number of durable entries. */
  long size() {
    return count;
  }

  LedgerPosition position() {
    lock.lock();
    try {
      return new LedgerPosition(count, end, lastRecordOffset, Hash.of(lastLeaf), frontier.nodes());
    } finally {
      lock.unlock();
    }
  }

  Checkpoint latestCheckpoint() {
    lock.lock();
    try {
      return checkpoints.latest();
    } finally {
      lock.unlock();
    }
  }

  /** The error that failed the writer, or null while healthy. */
  Throwable failure() {
    return failure.get();
  }

  /** Puts the writer in the failed state (first cause wins) and fails everything queued. */
  void fail(Throwable cause) {
    failure.compareAndSet(null, cause);
    LedgerUnavailableException e = unavailable();
    for (AppendQueue.Pending p : queue.closeAndTakeAll()) {
      p.done().completeExceptionally(e);
    }
  }

  LedgerUnavailableException unavailable() {
    Throwable t = failure.get();
    return t != null
        ? new LedgerUnavailableException("ledger failed and accepts no entries: " + t, t)
        : new LedgerUnavailableException("ledger is closed", null);
  }

  /** Closes the files; later checkpoints fail. Call after the writer thread has ended. */
  void closeFiles() throws IOException {
    lock.lock();
    try {
      if (!filesClosed) {
        filesClosed = true;
        files.close();
      }
    } finally {
      lock.unlock();
    }
  }

  // Writes, fsyncs and hashes one batch; returns the index of its first entry.
  private long commit(List<AppendQueue.Pending> items) throws IOException {
    lock.lock();
    try {
      checkUsable();
      long first = count;
      long index = first;
      batch.clear();
      for (AppendQueue.Pending p : items) {
        encoder.put(batch, index++, p.payload());
      }
      batch.flip();
      files.entries().write(batch, end);
      files.entries().force();
      long offset = end;
      for (AppendQueue.Pending p : items) {
        hasher.leaf(p.payload(), 0, p.payload().length, lastLeaf, 0);
        frontier.append(lastLeaf, 0);
        lastRecordOffset = offset;
        offset += p.recordSize();
      }
      end = offset;
      count = index;
      if (clock.nanos() - lastCheckpointNanos >= intervalNanos) {
        checkpointIfGrown();
      }
      return first;
    } finally {
      lock.unlock();
    }
  }

  private void checkpointIfDue() throws IOException {
    if (nanosUntilCheckpoint() <= 0) {
      checkpointIfGrown();
    }
  }

  // How long the writer may idle before a checkpoint is due; forever if the tree did not grow.
  private long nanosUntilCheckpoint() {
    lock.lock();
    try {
      Checkpoint latest = checkpoints.latest();
      if (latest != null && latest.size() >= count) {
        return Long.MAX_VALUE;
      }
      return Math.max(0, intervalNanos - (clock.nanos() - lastCheckpointNanos));
    } finally {
      lock.unlock();
    }
  }

  private void checkUsable() {
    if (failure.get() != null || filesClosed) {
      throw unavailable();
    }
  }
}
