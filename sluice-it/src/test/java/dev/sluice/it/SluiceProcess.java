package dev.sluice.it;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Sluice node as a real process, {@code java -jar sluice-app/target/sluice.jar run --config
 * FILE}, for end-to-end tests: {@link #start} returns once {@code GET http://ADMIN/readyz} answers
 * {@code 200}, or fails with the process's stderr if it exits or is not ready in time. The jar
 * exists only after {@code sluice-app} is packaged, which is why these tests run in {@code ./mvnw
 * verify} from the repository root.
 *
 * <p>Output goes to {@code stdout.log} and {@code stderr.log} in the given directory (a pipe left
 * unread could block the process). {@link #close} kills a process that is still running.
 */
final class SluiceProcess implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private final Process process;
  private final Path stderr;

  private SluiceProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
  }

  /** The shaded jar the tests run. */
  static Path jar() {
    return RepoRoot.get().resolve("sluice-app/target/sluice.jar");
  }

  /**
   * Starts {@code sluice run --config config} and waits until its admin server is ready.
   *
   * @param admin the admin listener's address, as the configuration sets it
   * @param logDir where stdout.log and stderr.log are written
   */
  static SluiceProcess start(Path config, InetSocketAddress admin, Path logDir, Duration ready)
      throws IOException, InterruptedException {
    Path jar = jar();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " is missing: run ./mvnw verify from the repository root so sluice-app is"
              + " packaged before the integration tests");
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stderr = logDir.resolve("stderr.log");
    Process p =
        new ProcessBuilder(
                List.of(
                    java.toString(), "-jar", jar.toString(), "run", "--config", config.toString()))
            .redirectOutput(logDir.resolve("stdout.log").toFile())
            .redirectError(stderr.toFile())
            .start();
    SluiceProcess sluice = new SluiceProcess(p, stderr);
    try {
      sluice.awaitReady(admin, ready);
    } catch (IOException | InterruptedException | RuntimeException e) {
      sluice.close();
      throw e;
    }
    return sluice;
  }

  private void awaitReady(InetSocketAddress admin, Duration timeout)
      throws IOException, InterruptedException {
    URI readyz = URI.create("http://" + admin.getHostString() + ":" + admin.getPort() + "/readyz");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest get = HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2)).GET().build();
    Clock clock = Clock.system();
    long deadline = clock.nanos() + timeout.toNanos();
    int lastStatus = -1;
    while (clock.nanos() - deadline < 0) {
      try {
        lastStatus = http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (lastStatus == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // The admin server is not up yet.
      }
      // Wait for the next poll, or less if the process exits meanwhile.
      try {
        int code = process.onExit().get(POLL.toMillis(), TimeUnit.MILLISECONDS).exitValue();
        throw new IllegalStateException(
            "sluice exited with code " + code + " before " + readyz + " was ready; " + stderr());
      } catch (TimeoutException stillRunning) {
        // Poll again.
      } catch (ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(
        "sluice was not ready within "
            + timeout
            + " (last "
            + readyz
            + " status "
            + lastStatus
            + "); "
            + stderr());
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** What the process wrote to stderr so far. */
  String stderr() {
    try {
      return "stderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "stderr unreadable: " + e;
    }
  }

  /** SIGKILL: the crash case. Returns the exit code (137). */
  int kill9() throws InterruptedException {
    process.destroyForcibly();
    return awaitExit();
  }

  /** SIGTERM: the orderly shutdown. Returns the exit code; kills the process if it hangs. */
  int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      awaitExit();
      throw new IllegalStateException(
          "sluice did not stop within " + STOP_TIMEOUT + " of SIGTERM; killed. " + stderr());
    }
    return process.exitValue();
  }

  private int awaitExit() throws InterruptedException {
    if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("sluice (pid " + pid() + ") did not exit after SIGKILL");
    }
    return process.exitValue();
  }

  /** Kills the process if it still runs; keeps the thread's interrupt if waiting is cut short. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill9();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
