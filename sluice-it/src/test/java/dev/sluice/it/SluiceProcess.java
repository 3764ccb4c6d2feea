package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A Sluice node as a real process, {@code java -jar sluice-app/target/sluice.jar run --config FILE
 * --ready-file FILE}, for end-to-end tests. {@link #start} waits until the process has written its
 * ready file (the pid and every bound address, so configurations can bind port 0) and {@code GET
 * /readyz} answers {@code 200}; it fails with the process's stderr if the process exits or is not
 * ready in time. The jar exists only after {@code sluice-app} is packaged, which is why these tests
 * run in {@code ./mvnw verify} from the repository root.
 *
 * <p>Output goes to {@code stdout-N.log} and {@code stderr-N.log} in the given directory, N
 * counting the starts in that directory (a pipe left unread could block the process). The process
 * is only ever signalled by its own pid ({@link Process#destroy}, {@link Process#destroyForcibly});
 * {@link #close} kills it if it still runs, so a failing test never leaves one behind.
 */
final class SluiceProcess implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<Path, AtomicInteger> STARTS = new HashMap<>();

  private final Process process;
  private final Path stderr;
  private InetSocketAddress admin;
  private final Map<String, InetSocketAddress> listeners = new HashMap<>();

  private SluiceProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
  }

  /** The shaded jar the tests run. */
  static Path jar() {
    Path jar = RepoRoot.get().resolve("sluice-app/target/sluice.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " is missing: run ./mvnw verify from the repository root so sluice-app is"
              + " packaged before the integration tests");
    }
    return jar;
  }

  /** {@code java -jar sluice.jar} and then {@code args}: the command line of a jar process. */
  static List<String> command(List<String> args) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-jar", jar().toString()));
    cmd.addAll(args);
    return cmd;
  }

  /** {@link #start(Path, Path, List)} without extra options. */
  static SluiceProcess start(Path config, Path workDir) throws IOException, InterruptedException {
    return start(config, workDir, List.of());
  }

  /**
   * Starts {@code sluice run --config config --ready-file workDir/ready-N.json [options]} and waits
   * until it is ready.
   *
   * @param workDir where the ready file and the logs go
   * @param options more options of {@code sluice run}, e.g. {@code --drain-timeout 1s}
   */
  static SluiceProcess start(Path config, Path workDir, List<String> options)
      throws IOException, InterruptedException {
    int n;
    synchronized (STARTS) {
      n = STARTS.computeIfAbsent(workDir, d -> new AtomicInteger()).incrementAndGet();
    }
    Path ready = workDir.resolve("ready-" + n + ".json");
    Path stderr = workDir.resolve("stderr-" + n + ".log");
    List<String> args =
        new ArrayList<>(
            List.of("run", "--config", config.toString(), "--ready-file", ready.toString()));
    args.addAll(options);
    Process p =
        new ProcessBuilder(command(args))
            .redirectOutput(workDir.resolve("stdout-" + n + ".log").toFile())
            .redirectError(stderr.toFile())
            .start();
    SluiceProcess sluice = new SluiceProcess(p, stderr);
    try {
      sluice.awaitReadyFile(ready);
      sluice.awaitReadyz();
    } catch (IOException | InterruptedException | RuntimeException e) {
      sluice.close();
      throw e;
    }
    return sluice;
  }

  private void awaitReadyFile(Path ready) throws IOException, InterruptedException {
    JsonNode r = awaitReadyFile(process, ready, "sluice", this::stderr);
    admin = address(r.path("admin").asText());
    for (Map.Entry<String, JsonNode> e : r.path("listeners").properties()) {
      listeners.put(e.getKey(), address(e.getValue().asText()));
    }
  }

  /**
   * Waits until {@code process} (called {@code name} in errors) has written its {@code
   * --ready-file} and returns it, checking that it names the process's pid; fails with its stderr
   * if it exits first or writes nothing within {@link #READY_TIMEOUT}. Shared with {@link
   * EdgeProcess}.
   */
  static JsonNode awaitReadyFile(Process process, Path ready, String name, Supplier<String> stderr)
      throws IOException, InterruptedException {
    Clock clock = Clock.system();
    long deadline = clock.nanos() + READY_TIMEOUT.toNanos();
    while (!Files.exists(ready)) {
      if (clock.nanos() - deadline >= 0) {
        throw new IllegalStateException(
            name + " wrote no " + ready + " within " + READY_TIMEOUT + "; " + stderr.get());
      }
      awaitExitOrPoll(process, name, "before writing " + ready, stderr);
    }
    JsonNode r = JSON.readTree(ready.toFile());
    if (r.path("pid").asLong() != process.pid()) {
      throw new IllegalStateException(
          ready + " names pid " + r.path("pid") + ", but the process is " + process.pid());
    }
    return r;
  }

  /** {@code HOST:PORT} or {@code [V6]:PORT}, as a ready file writes it. */
  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private void awaitReadyz() throws IOException, InterruptedException {
    URI readyz = adminUri("/readyz");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest get = HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2)).GET().build();
    Clock clock = Clock.system();
    long deadline = clock.nanos() + READY_TIMEOUT.toNanos();
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
      awaitExitOrPoll("before " + readyz + " was ready");
    }
    throw new IllegalStateException(
        "sluice was not ready within "
            + READY_TIMEOUT
            + " (last "
            + readyz
            + " status "
            + lastStatus
            + "); "
            + stderr());
  }

  /** Waits one poll interval, or less if the process exits meanwhile, which is an error. */
  private void awaitExitOrPoll(String when) throws InterruptedException {
    awaitExitOrPoll(process, "sluice", when, this::stderr);
  }

  private static void awaitExitOrPoll(
      Process process, String name, String when, Supplier<String> stderr)
      throws InterruptedException {
    try {
      int code = process.onExit().get(POLL.toMillis(), TimeUnit.MILLISECONDS).exitValue();
      throw new IllegalStateException(
          name + " exited with code " + code + " " + when + "; " + stderr.get());
    } catch (TimeoutException stillRunning) {
      // Poll again.
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The admin API's bound address. */
  InetSocketAddress admin() {
    return admin;
  }

  /** {@code http://ADMIN/path}. */
  URI adminUri(String path) {
    return URI.create("http://" + admin.getHostString() + ":" + admin.getPort() + path);
  }

  /** The bound address of the listener {@code name}. */
  InetSocketAddress listener(String name) {
    InetSocketAddress a = listeners.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no listener " + name + " in " + listeners.keySet());
    }
    return a;
  }

  /** {@code http://LISTENER}, without a path. */
  String listenerUrl(String name) {
    InetSocketAddress a = listener(name);
    return "http://" + a.getHostString() + ":" + a.getPort();
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
    return awaitExit(STOP_TIMEOUT);
  }

  /** Sends SIGTERM (the orderly shutdown: drain) and returns at once. */
  void sigterm() {
    process.destroy();
  }

  /** SIGTERM, then waits for the exit. Returns the exit code; kills the process if it hangs. */
  int terminate() throws InterruptedException {
    sigterm();
    return awaitExit(STOP_TIMEOUT);
  }

  /**
   * Waits for the process to exit and returns its exit code; if it has not exited within {@code
   * timeout}, kills it and fails.
   */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      throw new IllegalStateException(
          "sluice (pid " + pid() + ") did not exit within " + timeout + "; killed. " + stderr());
    }
    return process.exitValue();
  }

  /** Waits at most {@code timeout} for the process to exit; whether it has. */
  boolean exitedWithin(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
