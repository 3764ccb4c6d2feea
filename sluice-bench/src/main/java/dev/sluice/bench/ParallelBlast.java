package dev.sluice.bench;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * {@link TcpBlast} over many connections at once, from one JVM: one connection (and thread) per
 * {@code HOST:PORT} argument (repeat a target for several connections to it), each sending {@code
 * BYTES} as fast as it is taken, then half-closing and waiting until the far end closes. All
 * connections are opened first and start sending together; the time is from that start until the
 * last connection has been closed by its far end. Prints one line to stdout:
 *
 * <pre>
 * N connections, TOTAL bytes in T s = X MiB/s
 * </pre>
 *
 * and each connection's own rate to stderr. Exits 1 if any connection fails. {@code java -cp
 * benchmarks.jar dev.sluice.bench.ParallelBlast BYTES HOST:PORT...}
 */
public final class ParallelBlast {

  /**
   * The machine's clock: read through {@link Clock}, as everywhere (the build bans direct reads).
   */
  private static final Clock CLOCK = Clock.system();

  private ParallelBlast() {}

  /** The outcome of a run: the time from the start until the last far end closed. */
  record Result(int connections, long totalBytes, double seconds, double[] perConnectionMibps) {
    double mibps() {
      return totalBytes / seconds / (1 << 20);
    }
  }

  public static void main(String[] args) throws Exception {
    long bytes = Long.parseLong(args[0]);
    List<InetSocketAddress> targets = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      targets.add(parse(args[i]));
    }
    Result r;
    try {
      r = blast(bytes, targets);
    } catch (IOException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    for (int i = 0; i < targets.size(); i++) {
      System.err.printf(
          Locale.ROOT,
          "connection %d to %s: %.1f MiB/s%n",
          i,
          targets.get(i),
          r.perConnectionMibps()[i]);
    }
    System.out.printf(
        Locale.ROOT,
        "%d connections, %d bytes in %.3f s = %.1f MiB/s%n",
        r.connections(),
        r.totalBytes(),
        r.seconds(),
        r.mibps());
  }

  /**
   * Sends {@code bytes} over one connection to each of {@code targets} at once.
   *
   * @throws IOException naming every connection that failed
   */
  static Result blast(long bytes, List<InetSocketAddress> targets)
      throws IOException, InterruptedException {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets (HOST:PORT ...)");
    }
    List<Socket> sockets = new ArrayList<>();
    try {
      for (InetSocketAddress t : targets) {
        Socket s = new Socket();
        sockets.add(s);
        s.setTcpNoDelay(true);
        s.connect(t, 10_000);
      }
      CountDownLatch go = new CountDownLatch(1);
      long[] ended = new long[sockets.size()];
      Throwable[] failed = new Throwable[sockets.size()];
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < sockets.size(); i++) {
        int k = i;
        Socket s = sockets.get(i);
        Thread t =
            new Thread(
                () -> {
                  try {
                    go.await();
                    send(s, bytes);
                    ended[k] = CLOCK.nanos();
                  } catch (IOException | RuntimeException e) {
                    failed[k] = e;
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed[k] = e;
                  }
                },
                "blast-" + i);
        threads.add(t);
        t.start();
      }
      long start = CLOCK.nanos();
      go.countDown();
      for (Thread t : threads) {
        t.join();
      }
      StringBuilder errors = new StringBuilder();
      long last = start;
      double[] rates = new double[sockets.size()];
      for (int i = 0; i < sockets.size(); i++) {
        if (failed[i] != null) {
          errors.append("connection ").append(i).append(" to ").append(targets.get(i));
          errors.append(": ").append(failed[i]).append('\n');
          continue;
        }
        last = Math.max(last, ended[i]);
        rates[i] = bytes / ((ended[i] - start) / 1e9) / (1 << 20);
      }
      if (errors.length() > 0) {
        throw new IOException(errors.toString().strip());
      }
      return new Result(sockets.size(), bytes * sockets.size(), (last - start) / 1e9, rates);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected HOST:PORT, got " + hostPort);
    }
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static void send(Socket s, long bytes) throws IOException {
    byte[] buf = new byte[1 << 16];
    for (int i = 0; i < buf.length; i++) {
      buf[i] = (byte) (i * 31);
    }
    OutputStream out = s.getOutputStream();
    long left = bytes;
    while (left > 0) {
      int n = (int) Math.min(buf.length, left);
      out.write(buf, 0, n);
      left -= n;
    }
    out.flush();
    s.shutdownOutput();
    InputStream in = s.getInputStream();
    while (in.read() >= 0) {
      // nothing comes back from a sink; wait for it to close
    }
  }
}
