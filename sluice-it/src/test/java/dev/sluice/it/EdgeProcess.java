package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice edge --listen 127.0.0.1:0 --gateway HOST:PORT --ready-file FILE [options]} as a
 * real process. {@link #start} waits for the ready file (pid and bound address), failing with the
 * process's stderr if it exits first; {@link #close} kills it by its own pid.
 */
final class EdgeProcess implements AutoCloseable {

  private final Process process;
  private final Path stderr;
  private InetSocketAddress listen;

  private EdgeProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
  }

  static EdgeProcess start(InetSocketAddress gateway, Path workDir, String name, String... options)
      throws IOException, InterruptedException {
    Path ready = workDir.resolve(name + "-ready.json");
    Path err = workDir.resolve(name + "-stderr.log");
    List<String> args =
        new ArrayList<>(
            List.of(
                "edge",
                "--listen",
                "127.0.0.1:0",
                "--gateway",
                gateway.getHostString() + ":" + gateway.getPort(),
                "--ready-file",
                ready.toString()));
    args.addAll(List.of(options));
    Process p =
        new ProcessBuilder(SluiceProcess.command(args))
            .redirectOutput(workDir.resolve(name + "-stdout.log").toFile())
            .redirectError(err.toFile())
            .start();
    EdgeProcess edge = new EdgeProcess(p, err);
    try {
      edge.awaitReady(ready);
    } catch (IOException | InterruptedException | RuntimeException e) {
      edge.close();
      throw e;
    }
    return edge;
  }

  private void awaitReady(Path ready) throws IOException, InterruptedException {
    JsonNode r = SluiceProcess.awaitReadyFile(process, ready, "sluice edge", this::stderr);
    listen = SluiceProcess.address(r.path("listen").asText());
  }

  InetSocketAddress address() {
    return listen;
  }

  String url() {
    return "http://" + listen.getHostString() + ":" + listen.getPort();
  }

  String stderr() {
    try {
      return "stderr:\n" + Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "stderr unreadable: " + e;
    }
  }

  /** The edge's stderr (its log) so far. */
  String log() throws IOException {
    return Files.readString(stderr, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
