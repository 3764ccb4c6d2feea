package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.halt.HaltState;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.IndexedEntry;
import dev.sluice.ledger.IoChannel;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerIo;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ordering rules of halts and resumes, with a ledger whose fsync the test holds back: a halt
 * acts at once, a resume only once durable, and a halt during a pending resume wins.
 */
class HaltControlTest {

  /** Ledger I/O whose {@code force()} waits while the gate is closed. */
  static final class GatedIo implements LedgerIo {
    volatile CountDownLatch gate = new CountDownLatch(0);

    void close() {
      gate = new CountDownLatch(1);
    }

    void open() {
      gate.countDown();
    }

    @Override
    public IoChannel open(Path path, Mode mode) throws IOException {
      IoChannel ch = LedgerIo.standard().open(path, mode);
      return new IoChannel() {
        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
          return ch.read(dst, position);
        }

        @Override
        public void write(ByteBuffer src, long position) throws IOException {
          ch.write(src, position);
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
          try {
            gate.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
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
      };
    }
  }

  @TempDir Path dir;
  final ManualClock clock = ManualClock.at("2026-11-22T10:00:00Z");
  final GatedIo io = new GatedIo();
  final HaltState halts = new HaltState(List.of("inference", "employee"));
  Ledger ledger;
  HaltControl control;

  @BeforeEach
  void open() throws IOException {
    ledger =
        Ledger.open(LedgerOptions.builder(dir, "sluice/test").io(io).build(), clock, null, e -> {});
    control = new HaltControl(halts, ledger, clock);
  }

  @AfterEach
  void close() {
    io.open();
    ledger.close();
  }

  List<EntryType> ledgeredTypes() throws IOException {
    try (LedgerReader r = LedgerReader.open(dir)) {
      return r.tail(100).stream().map(IndexedEntry::entry).map(e -> e.type()).toList();
    }
  }

  @Test
  void aHaltActsAtOnceEvenWhileTheLedgerIsStuck() throws Exception {
    io.close();
    HaltControl.PendingHalt halt = control.halt(null, "incident");
    assertThat(halts.site().on()).isTrue();
    assertThat(halts.site().halt().reason()).isEqualTo("incident");

    io.open();
    HaltControl.Outcome o = halt.await();
    assertThat(o.changed()).isTrue();
    assertThat(o.ledgerIndex()).isPositive();
    assertThat(ledgeredTypes()).endsWith(EntryType.HALT);
  }

  @Test
  void aResumeLiftsTheHaltOnlyOnceItsEntryIsDurable() throws Exception {
    control.halt("inference", "drill").await();
    io.close();
    HaltControl.PendingResume resume = control.resume("inference", "done");
    assertThat(halts.zone("inference").on()).as("halted until the resume is durable").isTrue();

    io.open();
    HaltControl.Outcome o = resume.await();
    assertThat(o.changed()).isTrue();
    assertThat(halts.zone("inference").on()).isFalse();
    assertThat(ledgeredTypes()).endsWith(EntryType.HALT, EntryType.RESUME);
  }

  @Test
  void aHaltArrivingWhileAResumeIsBeingLedgeredWins() throws Exception {
    control.halt(null, "first").await();
    io.close();
    HaltControl.PendingResume resume = control.resume(null, "all clear");
    HaltControl.PendingHalt again = control.halt(null, "not so fast");
    assertThat(halts.site().on()).isTrue();

    io.open();
    assertThat(again.await().changed()).isTrue();
    assertThatThrownBy(resume::await)
        .isInstanceOf(HaltControl.Conflict.class)
        .hasMessage(
            "a halt of site arrived while the resume was being ledgered; egress stays halted");
    assertThat(halts.site().on()).isTrue();
    // The ledger tells the same story: the resume was asked for, then overruled.
    assertThat(ledgeredTypes()).endsWith(EntryType.HALT, EntryType.RESUME, EntryType.HALT);
  }

  @Test
  void aHaltOfAnotherScopeDoesNotStopAResume() throws Exception {
    control.halt("inference", "drill").await();
    io.close();
    HaltControl.PendingResume resume = control.resume("inference", "done");
    control.halt("employee", "other");
    io.open();
    assertThat(resume.await().changed()).isTrue();
    assertThat(halts.zone("inference").on()).isFalse();
    assertThat(halts.zone("employee").on()).isTrue();
  }

  @Test
  void oneResumePerScopeAtATime() throws Exception {
    control.halt(null, "x").await();
    io.close();
    HaltControl.PendingResume first = control.resume(null, "a");
    assertThatThrownBy(() -> control.resume(null, "b"))
        .isInstanceOf(HaltControl.Conflict.class)
        .hasMessage("a resume of site is already waiting for the ledger");
    io.open();
    assertThat(first.await().changed()).isTrue();
    assertThat(halts.site().on()).isFalse();
  }

  @Test
  void unchangedRequestsWriteNothing() throws Exception {
    long size = ledger.size();
    assertThat(control.resume(null, "r").await())
        .isEqualTo(new HaltControl.Outcome(false, null, -1));
    control.halt(null, "h").await();
    HaltControl.Outcome again = control.halt(null, "h2").await();
    assertThat(again.changed()).isFalse();
    assertThat(again.halt().reason()).isEqualTo("h");
    assertThat(ledger.size()).isEqualTo(size + 1);
  }
}
