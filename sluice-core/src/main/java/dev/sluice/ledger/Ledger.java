package dev.sluice.ledger;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The tamper-evident ledger: an append-only log of {@link LedgerEntry}s in {@code entries.log}
 * (format and crash guarantees: {@link EntriesFile}), hashed into an RFC 6962 Merkle tree, with
 * signed checkpoints in {@code checkpoints.log} ({@link CheckpointsFile}).
 *
 * <p>Appends are group-committed by one writer thread ({@link LedgerWriter}): an append's future
 * completes with its index only after its record is fsynced, and completes exceptionally if the
 * ledger is closed, has failed, or is unavailable after an I/O error. Callers must treat an
 * exceptional completion as "did not happen" and fail closed; nothing is dropped silently.
 *
 * <p>An I/O error (a full disk) makes the ledger unavailable, not dead: {@link #healthy()} is false
 * and appends are refused at once while the writer repairs the files on its own, with back-off, and
 * records the outage in a GAP entry; then it is healthy again, without a restart ({@link
 * LedgerWriter} has the details, {@link #status()} the counts).
 *
 * <p>Callbacks attached to append futures with non-async methods run on the writer thread and must
 * not block on the ledger (no {@code join()} of another append, no {@link #close()}).
 *
 * <p>Thread-safe: any number of threads may append, read the size, position and checkpoints, and
 * close, concurrently.
 */
public final class Ledger implements AutoCloseable {

  private final AppendQueue queue;
  private final LedgerWriter writer;
  private final Thread thread;
  private final RecoveryReport recovery;
  private final int maxPayload;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  private Ledger(AppendQueue queue, LedgerWriter writer, RecoveryReport recovery, int maxPayload) {
    this.queue = queue;
    this.writer = writer;
    this.recovery = recovery;
    this.maxPayload = maxPayload;
    this.thread = new Thread(writer, "sluice-ledger-writer");
    this.thread.setDaemon(true);
  }

  /**
   * Opens (creating if needed) the ledger of {@code options}, repairs a torn tail, and passes every
   * entry after {@code resumeFrom} to {@code replay} in order, so the caller can rebuild its state.
   * With a {@code resumeFrom} that matches the file, history before it is not read; with null, or
   * one that does not match (see {@link RecoveryReport#resumeRejected()}), every entry is replayed.
   *
   * @throws LedgerCorruptionException if the files are damaged beyond a torn tail
   * @throws IOException if the files cannot be read or written, or belong to another origin or key
   */
  public static Ledger open(
      LedgerOptions options, Clock clock, LedgerPosition resumeFrom, Consumer<IndexedEntry> replay)
      throws IOException {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(replay, "replay");
    NoteSigner signer = LedgerKeys.loadOrCreate(options);
    if (!signer.name().equals(options.origin())) {
      throw new IOException(
          "signing key "
              + options.signingKeyFile()
              + " is named "
              + signer.name()
              + " but the ledger origin is "
              + options.origin());
    }
    LedgerFiles files = LedgerFiles.open(options, signer, clock);
    try {
      LedgerRecovery.Result r =
          LedgerRecovery.recover(files, signer.verifier(), resumeFrom, replay);
      AppendQueue queue = new AppendQueue(options.queueCapacity());
      LedgerWriter writer = new LedgerWriter(queue, files, r, signer, clock, options);
      long gapIndex = -1;
      long replayed = r.replayed();
      if (r.gap() != null) {
        IndexedEntry gap = writer.appendNow(r.gap().entry(clock.millis()));
        gapIndex = gap.index();
        replay.accept(gap);
        replayed++;
      }
      writer.checkpointIfGrown();
      RecoveryReport report =
          new RecoveryReport(
              files.created(),
              r.resumed(),
              r.resumeRejected(),
              replayed,
              r.gap() == null ? 0 : r.gap().bytesDropped(),
              r.gap() == null ? null : r.gap().reason(),
              gapIndex,
              r.checkpointBytesCut());
      Ledger ledger = new Ledger(queue, writer, report, files.header().maxPayload());
      ledger.thread.start();
      return ledger;
    } catch (IOException | RuntimeException | Error e) {
      try {
        files.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Queues {@code entry}; the future completes with its index once it is durable. Blocks while the
   * queue is full.
   *
   * @throws IllegalArgumentException for GENESIS and GAP entries (only the ledger writes those),
   *     entries that do not encode (see {@link EntryCodec#encode}) and entries larger than one
   *     batch
   */
  public CompletableFuture<Long> append(LedgerEntry entry) {
    if (entry.type() == EntryType.GENESIS || entry.type() == EntryType.GAP) {
      throw new IllegalArgumentException(
          entry.type().label() + " entries are written by the ledger itself");
    }
    byte[] payload = EntryCodec.encode(entry);
    if (payload.length > maxPayload) {
      throw new IllegalArgumentException(
          "entry encodes to "
              + payload.length
              + " bytes, more than the "
              + maxPayload
              + " a batch can hold");
    }
    CompletableFuture<Long> done = new CompletableFuture<>();
    if (writer.refuseIfUnavailable(done)) {
      return done;
    }
    try {
      if (!queue.put(new AppendQueue.Pending(payload, done))) {
        done.completeExceptionally(writer.unavailable());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      done.completeExceptionally(
          new LedgerUnavailableException("interrupted while waiting for queue space", e));
    }
    return done;
  }

  /** Number of durable entries (the next entry's index). */
  public long size() {
    return writer.size();
  }

  /** The durable position, for the caller's snapshot. */
  public LedgerPosition position() {
    return writer.position();
  }

  /** The newest stored checkpoint. */
  public Checkpoint latestCheckpoint() {
    return writer.latestCheckpoint();
  }

  /**
   * Signs and durably stores a checkpoint of the durable tree, unless the latest one already covers
   * it; returns the checkpoint covering every durable entry.
   *
   * @throws LedgerUnavailableException if the ledger is closed, failed or unavailable, or storing
   *     fails (which makes the ledger unavailable until the writer repairs it)
   */
  public Checkpoint checkpointNow() {
    try {
      return writer.checkpointIfGrown();
    } catch (IOException e) {
      writer.becomeUnavailable(e);
      throw new LedgerUnavailableException("storing a checkpoint failed", e);
    }
  }

  /**
   * Whether the ledger is open and accepts appends: false once closed or failed, and while it is
   * unavailable after an I/O error (until the writer's repair succeeds).
   */
  public boolean healthy() {
    return !closing.get() && writer.available();
  }

  /** Availability, the current outage if any, and retry, recovery and refusal counts. */
  public LedgerStatus status() {
    LedgerStatus s = writer.status();
    if (closing.get() && s.available()) {
      return new LedgerStatus(false, -1, null, s.retries(), s.recoveries(), s.refused());
    }
    return s;
  }

  /** What {@link #open} found and did. */
  public RecoveryReport recovery() {
    return recovery;
  }

  /**
   * Stops accepting appends, writes everything already queued, signs a final checkpoint if the tree
   * grew, and closes the files. Idempotent; concurrent callers all return once it is done.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      awaitUninterruptibly();
      return;
    }
    try {
      queue.close();
      joinUninterruptibly();
      writer.closeFiles();
    } catch (IOException e) {
      throw new UncheckedIOException("closing the ledger files failed", e);
    } finally {
      closed.countDown();
    }
  }

  private void joinUninterruptibly() {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitUninterruptibly() {
    boolean interrupted = false;
    while (closed.getCount() > 0) {
      try {
        closed.await();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
