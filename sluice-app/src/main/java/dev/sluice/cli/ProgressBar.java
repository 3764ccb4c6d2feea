package dev.sluice.cli;

import dev.sluice.codec.TrainingProgress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The progress of a long command on stderr, phase by phase. On a terminal it is one line redrawn in
 * place ({@code \r}) whenever the whole percentage changes; otherwise (a log, a pipe, a test) it
 * prints one line when a phase starts and one at every tenth of it, so logs stay short.
 */
final class ProgressBar implements TrainingProgress {

  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private String phase;
  private int shown = -1;
  private int lineLength;

  ProgressBar(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void update(String phase, long done, long total) {
    boolean newPhase = !phase.equals(this.phase);
    if (newPhase) {
      if (terminal && this.phase != null) {
        err.println();
      }
      this.phase = phase;
      shown = -1;
      lineLength = 0;
    }
    int percent = total <= 0 ? -1 : (int) Math.min(100, done * 100 / total);
    if (terminal) {
      if (newPhase || percent != shown) {
        shown = percent;
        redraw(line(phase, percent));
      }
      return;
    }
    int tenth = percent < 0 ? 0 : percent / 10 * 10;
    if (newPhase || tenth > shown) {
      shown = tenth;
      err.println(percent < 0 ? phase + " ..." : phase + " " + tenth + "%");
      err.flush();
    }
  }

  /** Ends the bar's line (on a terminal); call once when the work is over. */
  void finish() {
    if (terminal && phase != null) {
      err.println();
      err.flush();
    }
    phase = null;
  }

  private void redraw(String line) {
    String pad = " ".repeat(Math.max(0, lineLength - line.length()));
    err.print("\r" + line + pad);
    err.flush();
    lineLength = line.length();
  }

  static String line(String phase, int percent) {
    if (percent < 0) {
      return String.format(Locale.ROOT, "%-10s ...", phase);
    }
    int filled = percent * WIDTH / 100;
    return String.format(
        Locale.ROOT,
        "%-10s [%s%s] %3d%%",
        phase,
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        percent);
  }
}
