package dev.sluice.ledger;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit writer: the one thread that appends to {@code entries.log}. It drains the {@link
 * AppendQueue} into a batch of at most {@code maxBatchBytes}, writes it, fsyncs once, extends the
 * Merkle frontier and only then completes the batch's futures. It signs a checkpoint when the tree
 * grew and the interval has passed (before completing the batch, so a caller that saw its append
 * complete also sees the checkpoint), and once more on close.
 *
 * <p><b>I/O errors make the ledger unavailable, not dead.</b> An {@link IOException} on a write,
 * fsync or truncate (a full disk, typically) starts an {@link Outage}: the batch and everything
 * queued complete exceptionally, and every later append is refused at once, until a repair
 * succeeds. The writer tries to repair on its own, first after {@code retryMinBackoff}, then with
 * the delay doubling up to {@code retryMaxBackoff}, measured on the injected clock (it waits on the
 * queue, at most {@link #POLL_NANOS} at a time, so a manual clock is noticed too). A repair (see
 * {@link #repair}):
 *
 * <ol>
 *   <li>cuts {@code entries.log} back to the end of the last acknowledged record, and {@code
 *       checkpoints.log} back to the end of the last stored checkpoint, fsyncing each ({@link
 *       LedgerRecovery#cutEntries}, {@link LedgerRecovery#cutCheckpoints}: the same cuts open
 *       makes). Everything cut belonged to appends whose futures failed, so no caller acted on it;
 *       truncating also discards pages a failed fsync may have left in an unknown state, so a
 *       failed fsync is never retried over the same bytes;
 *   <li>appends a {@link EntryType#GAP} entry recording the cut (offset, bytes dropped, first lost
 *       index, reason) and the outage (unavailable since, appends refused), written and fsynced
 *       like any batch.
 * </ol>
 *
 * Only when the GAP entry is durable does the ledger accept appends again; the files then verify
 * while the ledger stays open. Any other error (not an {@code IOException}) fails the writer for
 * good, as does closing.
 *
 * <p>Thread-safety: the durable state (end offset, entry count, frontier, latest checkpoint) is
 * guarded by {@link #lock}, which the writer holds for a whole commit or repair; {@link
 * #position()}, {@link #checkpointIfGrown()} and {@link #closeFiles()} take it from other threads.
 * {@link #size()}, {@link #failure()}, {@link #available()} and {@link #status()} are lock-free
 * reads.
 */
final class LedgerWriter implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(LedgerWriter.class);

  /** The longest the writer waits between looks at the clock while the ledger is unavailable. */
  static final long POLL_NANOS = 50_000_000L;

  /** GAP reasons are cut to this many characters, so the entry always fits one batch. */
  private static final int MAX_REASON = 512;

  private final AppendQueue queue;
  private final LedgerFiles files;
  private final CheckpointLog checkpoints;
  private final NoteSigner signer;
  private final Clock clock;
  private final long intervalNanos;
  private final int maxBatchBytes;
  private final long minBackoffNanos;
  private final long maxBackoffNanos;

  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicReference<Outage> outage = new AtomicReference<>();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong recoveries = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
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
    this.minBackoffNanos = options.retryMinBackoff().toNanos();
    this.maxBackoffNanos = options.retryMaxBackoff().toNanos();
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
        Outage o = outage.get();
        if (o != null) {
          open = waitOut(o);
          continue;
        }
        open = queue.drain(drained, maxBatchBytes, nanosUntilCheckpoint());
        if (!drained.isEmpty()) {
          commitDrained();
        } else if (open) {
          try {
            checkpointIfDue();
          } catch (IOException e) {
            becomeUnavailable(e);
          }
        }
      }
      drained.clear();
      if (outage.get() == null) {
        checkpointIfGrown();
      }
    } catch (Throwable t) {
      fail(t);
      LedgerUnavailableException e = unavailable();
      drained.forEach(p -> p.done().completeExceptionally(e));
      if (t instanceof Error err) {
        throw err;
      }
    }
  }

  // Commits the drained batch, signs a checkpoint if one is due, and completes the batch; or
  // refuses
  // it if the ledger is or becomes unavailable before the batch is durable.
  private void commitDrained() {
    if (outage.get() != null) {
      refuseDrained();
      return;
    }
    long first;
    try {
      first = commit(drained);
    } catch (IOException e) {
      becomeUnavailable(e);
      refuseDrained();
      return;
    }
    try {
      checkpointIfDue();
    } catch (IOException e) {
      // The batch is durable and stays acknowledged; only the checkpoint file needs the repair.
      becomeUnavailable(e);
    }
    for (int i = 0; i < drained.size(); i++) {
      drained.get(i).done().complete(first + i);
    }
  }

  // One step of an outage: refuses what was queued meanwhile and repairs when a retry is due.
  // Returns false once the queue is closed and empty.
  private boolean waitOut(Outage o) throws InterruptedException {
    long wait = Math.max(0, Math.min(o.nanosUntilRetry(clock.nanos()), POLL_NANOS));
    boolean open = queue.drain(drained, maxBatchBytes, wait);
    refuseDrained();
    if (open && o.nanosUntilRetry(clock.nanos()) <= 0) {
      repair(o);
    }
    return open;
  }

  private void refuseDrained() {
    LedgerUnavailableException e = unavailable();
    Outage o = outage.get();
    for (AppendQueue.Pending p : drained) {
      if (o != null) {
        o.refuse();
        refused.incrementAndGet();
      }
      p.done().completeExceptionally(e);
    }
    drained.clear();
  }

  /**
   * Refuses an append at once if the ledger is unavailable after an I/O error, counting it; returns
   * whether it did.
   */
  boolean refuseIfUnavailable(CompletableFuture<Long> done) {
    Outage o = outage.get();
    if (o == null) {
      return false;
    }
    o.refuse();
    refused.incrementAndGet();
    done.completeExceptionally(unavailable());
    return true;
  }

  /**
   * Starts an outage after {@code cause} (unless one is on) and wakes the writer thread to handle
   * it. Appends are refused from now until a repair succeeds.
   */
  void becomeUnavailable(IOException cause) {
    Outage o = new Outage(clock.millis(), clock.nanos(), cause, minBackoffNanos, maxBackoffNanos);
    if (outage.compareAndSet(null, o)) {
      log.error(
          "ledger unavailable since {}: {}; refusing appends (egress stops), retrying in {} ms",
          Instant.ofEpochMilli(o.sinceMillis()),
          cause.toString(),
          minBackoffNanos / 1_000_000);
    }
    queue.wake();
  }

  /**
   * Tries to end outage {@code o}: cuts both files back to their durable ends and appends a GAP
   * entry recording the cut and the outage. On an I/O error the outage goes on and the next attempt
   * is scheduled further out.
   */
  private void repair(Outage o) {
    retries.incrementAndGet();
    long attempt = o.attempt();
    lock.lock();
    try {
      if (filesClosed || failure.get() != null) {
        return;
      }
      String reason = reason("ledger unavailable: " + o.cause());
      o.noteEntriesCut(files.entries().size() - end);
      LedgerRecovery.Gap cut = LedgerRecovery.cutEntries(files.entries(), end, count, reason);
      long cpCut = LedgerRecovery.cutCheckpoints(files.checkpoints(), checkpoints.end());
      LedgerRecovery.Gap gap =
          new LedgerRecovery.Gap(cut.offset(), o.entriesCut(), cut.firstLostIndex(), reason);
      LedgerEntry entry = gap.outageEntry(clock.millis(), o.sinceMillis(), o.refused());
      long index = commit(List.of(new AppendQueue.Pending(EntryCodec.encode(entry), null)));
      outage.set(null);
      recoveries.incrementAndGet();
      log.warn(
          "ledger recovered after {} ms and {} attempts: cut {} bytes of entries at offset {}"
              + " and {} bytes of checkpoints, GAP entry {} records {} refused appends",
          Math.max(0, clock.millis() - o.sinceMillis()),
          attempt,
          gap.bytesDropped(),
          gap.offset(),
          cpCut,
          index,
          o.refused());
    } catch (IOException e) {
      o.retryFailed(clock.nanos(), e);
      log.warn(
          "ledger still unavailable (since {}, attempt {}): {}; next attempt in {} ms",
          Instant.ofEpochMilli(o.sinceMillis()),
          attempt,
          e.toString(),
          Math.max(0, o.nanosUntilRetry(clock.nanos())) / 1_000_000);
    } finally {
      lock.unlock();
    }
  }

  private static String reason(String r) {
    return r.length() <= MAX_REASON ? r : r.substring(0, MAX_REASON);
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
      if (outage.get() != null) {
        throw unavailable();
      }
      return signIfGrown();
    } finally {
      lock.unlock();
    }
  }

  // Signs and stores a checkpoint if the tree outgrew the latest one. Called under the lock.
  private Checkpoint signIfGrown() throws IOException {
    Checkpoint latest = checkpoints.latest();
    if (latest == null || latest.size() < count) {
      Checkpoint c = Checkpoint.sign(signer, count, frontier.root(), clock.millis());
      checkpoints.append(c);
      lastCheckpointNanos = clock.nanos();
      return c;
    }
    return latest;
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

  /** The error that failed the writer for good, or null. */
  Throwable failure() {
    return failure.get();
  }

  /** Whether appends are accepted: not failed for good, no outage on. */
  boolean available() {
    return failure.get() == null && outage.get() == null;
  }

  LedgerStatus status() {
    Outage o = outage.get();
    return new LedgerStatus(
        available(),
        o == null ? -1 : o.sinceMillis(),
        o == null ? null : o.cause(),
        retries.get(),
        recoveries.get(),
        refused.get());
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
    if (t != null) {
      return new LedgerUnavailableException("ledger failed and accepts no entries: " + t, t);
    }
    Outage o = outage.get();
    if (o != null) {
      return new LedgerUnavailableException(
          "ledger unavailable since "
              + Instant.ofEpochMilli(o.sinceMillis())
              + " (repairing, retried with back-off): "
              + o.lastError(),
          null);
    }
    return new LedgerUnavailableException("ledger is closed", null);
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

  // Writes, fsyncs and hashes one batch; returns the index of its first entry. Signs no checkpoint:
  // the caller does, when one is due.
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
      return first;
    } finally {
      lock.unlock();
    }
  }

  private void checkpointIfDue() throws IOException {
    if (nanosUntilCheckpoint() <= 0) {
      lock.lock();
      try {
        checkUsable();
        signIfGrown();
      } finally {
        lock.unlock();
      }
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
