package dev.sluice.cluster;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Real etcd members on loopback for tests: one member or a three-member cluster (static initial
 * cluster), free ports, data in a directory the test owns. Members can be stopped, killed and
 * restarted one by one (by PID); {@link #close()} kills every member that still runs.
 *
 * <p>Needs {@code /usr/bin/etcd} (Debian's {@code etcd-server}); without it {@link #start} fails
 * with a message saying how to install it: tests must not silently skip.
 */
public final class EtcdCluster implements AutoCloseable {

  /** The etcd binary of Debian's {@code etcd-server} package. */
  public static final Path ETCD = Path.of("/usr/bin/etcd");

  private static final int PORT_TRIES = 3;

  private final List<EtcdMember> members;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private EtcdCluster(List<EtcdMember> members) {
    this.members = members;
  }

  /**
   * Starts {@code size} members (1 or 3) with data under {@code dir} and waits until the cluster
   * has a leader. Retries with other ports if a port was taken meanwhile.
   */
  public static EtcdCluster start(Path dir, int size) throws IOException {
    if (!Files.isExecutable(ETCD)) {
      throw new IllegalStateException(
          ETCD
              + " not found: these tests run a real etcd. Install it with"
              + " 'apt-get install -y etcd-server' (CI does, in .ci/run)");
    }
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1, got " + size);
    }
    IOException last = null;
    for (int attempt = 1; attempt <= PORT_TRIES; attempt++) {
      Path d = dir.resolve("try" + attempt);
      EtcdCluster c = new EtcdCluster(members(d, size));
      try {
        c.startAll();
        return c;
      } catch (IOException e) {
        c.close();
        last = e;
      }
    }
    throw last;
  }

  private static List<EtcdMember> members(Path dir, int size) throws IOException {
    int[] ports = freePorts(2 * size);
    List<EtcdMember> list = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      list.add(new EtcdMember("m" + i, ports[2 * i], ports[2 * i + 1], dir));
    }
    List<String> spec = new ArrayList<>();
    for (EtcdMember m : list) {
      spec.add(m.name() + "=" + m.peerUrl());
    }
    for (EtcdMember m : list) {
      m.initialCluster(String.join(",", spec));
    }
    return list;
  }

  /** Distinct ports that were free a moment ago (held open together, then released). */
  private static int[] freePorts(int n) throws IOException {
    ServerSocket[] sockets = new ServerSocket[n];
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        if (s != null) {
          s.close();
        }
      }
    }
  }

  private void startAll() throws IOException {
    for (EtcdMember m : members) {
      m.start();
    }
    awaitHealthy(EtcdMember.startTimeout());
  }

  public List<EtcdMember> members() {
    return List.copyOf(members);
  }

  public EtcdMember member(int i) {
    return members.get(i);
  }

  /** Client URLs of every member (running or not). */
  public List<URI> clientUrls() {
    List<URI> out = new ArrayList<>();
    for (EtcdMember m : members) {
      out.add(m.clientUrl());
    }
    return out;
  }

  /** SIGTERM to member {@code i}, waits for it to exit. */
  public void stop(int i) {
    members.get(i).stop();
  }

  /** SIGKILL to member {@code i}, waits for it to exit. */
  public void kill(int i) {
    members.get(i).kill();
  }

  /** Starts member {@code i} again with its data; does not wait (see {@link #awaitHealthy}). */
  public void restart(int i) throws IOException {
    members.get(i).start();
  }

  /**
   * Waits until every running member reports {@code "health":"true"} (it has a leader and serves
   * requests), up to {@code timeout}.
   *
   * @throws IOException with the members' logs when it does not happen in time, or a member exits
   */
  public void awaitHealthy(Duration timeout) throws IOException {
    boolean ok =
        poll(
            timeout,
            () -> {
              for (EtcdMember m : members) {
                if (m.exitedEarly()) {
                  return true; // reported below
                }
                if (m.running() && !healthy(m)) {
                  return false;
                }
              }
              return true;
            });
    for (EtcdMember m : members) {
      if (m.exitedEarly()) {
        throw new IOException("etcd member " + m + " exited:\n" + m.log());
      }
    }
    if (!ok) {
      StringBuilder sb = new StringBuilder("etcd not healthy within " + timeout + ":");
      for (EtcdMember m : members) {
        sb.append("\n--- ").append(m).append(m.running() ? "" : " (stopped)").append('\n');
        sb.append(m.log());
      }
      throw new IOException(sb.toString());
    }
  }

  /** Whether member {@code m} answers its health endpoint with {@code "health":"true"}. */
  public boolean healthy(EtcdMember m) {
    HttpRequest req =
        HttpRequest.newBuilder(m.clientUrl().resolve("/health"))
            .timeout(Duration.ofMillis(500))
            .GET()
            .build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().replace(" ", "").contains("\"health\":\"true\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Calls {@code condition} every 20 ms until it is true or {@code timeout} has passed; returns
   * whether it became true. Polls a condition: never used as a fixed wait.
   */
  public static boolean poll(Duration timeout, BooleanSupplier condition) {
    Clock clock = Clock.system();
    long deadline = clock.nanos() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (clock.nanos() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(20_000_000L);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while polling");
      }
    }
  }

  /** Kills every running member by PID and waits for each to exit. */
  @Override
  public void close() {
    RuntimeException first = null;
    for (EtcdMember m : members) {
      try {
        m.kill();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
