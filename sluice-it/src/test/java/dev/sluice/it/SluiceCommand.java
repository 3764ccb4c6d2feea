package dev.sluice.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One short-lived {@code java -jar sluice.jar ARGS} (halt, resume, ledger tail, ledger verify), run
 * to completion with a deadline: a command that hangs is killed by its pid and fails the test.
 */
final class SluiceCommand {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** Exit code and output of one command. */
  record Result(List<String> args, int exitCode, String stdout, String stderr) {
    /** The command line and its output, for assertion messages. */
    String describe() {
      return "sluice "
          + String.join(" ", args)
          + " exited "
          + exitCode
          + "\nstdout:\n"
          + stdout
          + "\nstderr:\n"
          + stderr;
    }
  }

  private SluiceCommand() {}

  /** Runs {@code sluice args...}; {@code workDir} holds its output files. */
  static Result run(Path workDir, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "cmd-", ".out");
    Path err = Files.createTempFile(workDir, "cmd-", ".err");
    Process p =
        new ProcessBuilder(SluiceProcess.command(List.of(args)))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    p.getOutputStream().close();
    try {
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "sluice " + String.join(" ", args) + " did not finish within " + TIMEOUT);
      }
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
    return new Result(
        List.of(args),
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
