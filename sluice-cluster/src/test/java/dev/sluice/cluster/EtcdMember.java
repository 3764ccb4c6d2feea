package dev.sluice.cluster;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One etcd member process (Debian's {@code etcd-server}, {@link EtcdCluster#ETCD}) on loopback. Its
 * ports and data directory stay the same across {@link #stop}/{@link #start}, so a restarted member
 * rejoins its cluster. Output goes to {@code NAME.log} beside the data directory.
 */
public final class EtcdMember {

  private final String name;
  private final int clientPort;
  private final int peerPort;
  private final Path dataDir;
  private final Path logFile;
  private String initialCluster;
  private Process process;

  EtcdMember(String name, int clientPort, int peerPort, Path dir) {
    this.name = name;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.dataDir = dir.resolve(name + ".data");
    this.logFile = dir.resolve(name + ".log");
  }

  public String name() {
    return name;
  }

  public URI clientUrl() {
    return URI.create("http://127.0.0.1:" + clientPort);
  }

  String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  /** The process id, or -1 when not running. */
  public long pid() {
    Process p = process;
    return p != null && p.isAlive() ? p.pid() : -1;
  }

  public boolean running() {
    return process != null && process.isAlive();
  }

  void initialCluster(String spec) {
    this.initialCluster = spec;
  }

  /** Starts the process (same flags, ports and data every time); does not wait for health. */
  public synchronized void start() throws IOException {
    if (running()) {
      return;
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(EtcdCluster.ETCD.toString());
    cmd.add("--name=" + name);
    cmd.add("--data-dir=" + dataDir);
    cmd.add("--listen-client-urls=" + clientUrl());
    cmd.add("--advertise-client-urls=" + clientUrl());
    cmd.add("--listen-peer-urls=" + peerUrl());
    cmd.add("--initial-advertise-peer-urls=" + peerUrl());
    cmd.add("--initial-cluster=" + initialCluster);
    cmd.add("--initial-cluster-state=new");
    cmd.add("--initial-cluster-token=sluice-test");
    // Fast failure detection on loopback: a stopped leader is replaced in about half a second.
    cmd.add("--heartbeat-interval=50");
    cmd.add("--election-timeout=500");
    cmd.add("--logger=zap");
    cmd.add("--log-level=warn");
    Files.createDirectories(logFile.getParent());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    process = pb.start();
  }

  /** SIGTERM, then waits up to 10 s for the process to exit (SIGKILL after that). */
  public synchronized void stop() {
    end(false);
  }

  /** SIGKILL by PID, then waits for the process to exit. */
  public synchronized void kill() {
    end(true);
  }

  private void end(boolean force) {
    Process p = process;
    if (p == null) {
      return;
    }
    if (force) {
      p.destroyForcibly();
    } else {
      p.destroy();
    }
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing until {@link #resume}. */
  public void pause() throws IOException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws IOException {
    signal("CONT");
  }

  private void signal(String sig) throws IOException {
    long pid = pid();
    if (pid < 0) {
      throw new IllegalStateException(name + " is not running");
    }
    try {
      Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        throw new IOException("kill -" + sig + " " + pid + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Whether the process exited by itself (start failed); its log says why. */
  boolean exitedEarly() {
    Process p = process;
    return p != null && !p.isAlive();
  }

  /** The member's output so far (for failure messages). */
  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile) : "";
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  static Duration startTimeout() {
    return Duration.ofSeconds(20);
  }

  @Override
  public String toString() {
    return name + "@" + clientUrl();
  }
}
