package dev.sluice.cli;

import dev.sluice.time.Clock;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress through a known number of bytes on stderr, for a terminal only: one line redrawn in
 * place ({@code \r}) with a bar, bytes done of the total and the rate, at most every whole percent.
 * Off a terminal it prints nothing (logs and pipes get the command's summary instead).
 */
final class ByteProgress {

  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private final Clock clock;
  private final long total;
  private final long startNanos;
  private long done;
  private int shown = -1;

  ByteProgress(PrintWriter err, boolean terminal, Clock clock, long total) {
    this.err = err;
    this.terminal = terminal;
    this.clock = clock;
    this.total = total;
    this.startNanos = clock.nanos();
  }

  void add(long bytes) {
    done += bytes;
    if (!terminal) {
      return;
    }
    int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
    if (percent != shown) {
      shown = percent;
      err.print("\r" + line(percent, done, total, clock.nanos() - startNanos));
      err.flush();
    }
  }

  void finish() {
    if (terminal && shown >= 0) {
      err.println();
      err.flush();
    }
  }

  /** E.g. {@code indexing [####### ] 25% 1.2 GB / 4.8 GB 850 MB/s}. */
  static String line(int percent, long done, long total, long elapsedNanos) {
    int filled = percent * WIDTH / 100;
    long rate = elapsedNanos <= 0 ? 0 : (long) (done / (elapsedNanos / 1e9));
    return String.format(
        Locale.ROOT,
        "indexing [%s%s] %3d%% %s / %s  %s/s   ",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        percent,
        HumanBytes.rounded(done),
        HumanBytes.rounded(total),
        HumanBytes.rounded(rate));
  }
}
