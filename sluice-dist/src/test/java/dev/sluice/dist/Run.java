package dev.sluice.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end with a deadline, its output kept in files (no pipe to fill up). */
final class Run {

  /** What a command did. */
  record Result(List<String> command, int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }

    /** For assertion messages: the command, its exit code and its output. */
    String describe() {
      return String.join(" ", command)
          + " -> exit "
          + exit
          + "\nstdout:\n"
          + out
          + "\nstderr:\n"
          + err;
    }
  }

  private final Path dir;
  private int count;

  /** Output files go into {@code dir}. */
  Run(Path dir) {
    this.dir = dir;
  }

  Result exec(String... command) throws IOException, InterruptedException {
    return exec(Duration.ofMinutes(2), List.of(command));
  }

  Result exec(Duration timeout, List<String> command) throws IOException, InterruptedException {
    int n = ++count;
    Path out = dir.resolve("cmd-" + n + ".out");
    Path err = dir.resolve("cmd-" + n + ".err");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly().waitFor();
      throw new IOException(String.join(" ", command) + " did not end within " + timeout);
    }
    return new Result(
        command,
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
