package dev.sluice.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link LedgerIo} over real files that counts every write, force and truncate as a step and, at
 * one chosen step, either fails with an {@link IOException} or "crashes": from then on every
 * operation fails, and {@link #crash(SplittableRandom)} afterwards rewrites each file to what a
 * power loss could leave: the forced prefix plus an arbitrary prefix of the unforced bytes,
 * possibly zeroed or garbled. Truncation is modelled as immediately durable. Thread-safe.
 */
final class FaultyIo implements LedgerIo {

  enum Fault {
    /** The step fails with an IOException (a write may have written a prefix first). */
    FAIL,
    /** The machine dies at the step; the step's write reaches the page cache only. */
    CRASH
  }

  private final LedgerIo real = LedgerIo.standard();
  private volatile int faultStep;
  private final Fault fault;
  private final Random random;
  private final AtomicInteger steps = new AtomicInteger();
  private final Map<Path, Long> durable = new ConcurrentHashMap<>();
  private volatile boolean dead;
  private volatile boolean faulted;

  FaultyIo(int faultStep, Fault fault, long seed) {
    this.faultStep = faultStep;
    this.fault = fault;
    this.random = new Random(seed * 0x9E3779B97F4A7C15L); // spread small seeds apart
  }

  /** Moves the fault to the {@code n}-th step from now (1 = the next write, force or truncate). */
  void faultIn(int n) {
    faultStep = steps.get() + n;
  }

  /** Whether the chosen step was reached. */
  boolean faulted() {
    return faulted;
  }

  int steps() {
    return steps.get();
  }

  @Override
  public IoChannel open(Path path, Mode mode) throws IOException {
    if (dead) {
      throw new IOException("simulated crash: machine is down");
    }
    IoChannel ch = real.open(path, mode);
    durable.putIfAbsent(path.toAbsolutePath(), mode == Mode.CREATE_NEW ? 0L : ch.size());
    return new Channel(ch, path.toAbsolutePath());
  }

  /** After a crash: cuts every file back to its forced prefix plus some of the rest. */
  void crash(SplittableRandom r) throws IOException {
    for (Map.Entry<Path, Long> e : durable.entrySet()) {
      Path p = e.getKey();
      if (!Files.exists(p)) {
        continue;
      }
      long d = e.getValue();
      long size = Files.size(p);
      if (size <= d) {
        continue;
      }
      // Often all written bytes reach the disk (so damage is inside whole records), else a prefix.
      long keep = r.nextBoolean() ? size - d : r.nextInt((int) (size - d) + 1);
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
        ch.truncate(d + keep);
        if (keep > 0 && r.nextInt(3) == 0) {
          byte[] junk = new byte[(int) keep];
          if (r.nextBoolean()) {
            r.nextBytes(junk);
          }
          int from = r.nextInt((int) keep);
          ch.write(ByteBuffer.wrap(junk, from, junk.length - from), d + from);
        }
      }
    }
  }

  // Counts one step; at the chosen one, fails or dies. Returns true if a FAIL is due now.
  private boolean step() throws IOException {
    if (dead) {
      throw new IOException("simulated crash: machine is down");
    }
    if (steps.incrementAndGet() != faultStep) {
      return false;
    }
    faulted = true;
    if (fault == Fault.CRASH) {
      dead = true;
      return false;
    }
    return true;
  }

  private final class Channel implements IoChannel {
    private final IoChannel ch;
    private final Path path;

    Channel(IoChannel ch, Path path) {
      this.ch = ch;
      this.path = path;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      if (dead) {
        throw new IOException("simulated crash: machine is down");
      }
      return ch.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      if (step()) {
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + random.nextInt(part.remaining() + 1));
        ch.write(part, position);
        throw new IOException("injected write failure");
      }
      ch.write(src, position);
      if (dead) {
        throw new IOException("simulated crash during write");
      }
    }

    @Override
    public long size() throws IOException {
      if (dead) {
        throw new IOException("simulated crash: machine is down");
      }
      return ch.size();
    }

    @Override
    public void truncate(long size) throws IOException {
      if (step()) {
        throw new IOException("injected truncate failure");
      }
      if (dead) {
        throw new IOException("simulated crash before truncate");
      }
      ch.truncate(size);
      durable.merge(path, size, Math::min);
    }

    @Override
    public void force() throws IOException {
      if (step()) {
        throw new IOException("injected fsync failure");
      }
      if (dead) {
        throw new IOException("simulated crash before fsync");
      }
      ch.force();
      durable.put(path, ch.size());
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
