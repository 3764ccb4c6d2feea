package dev.sluice.bench;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;

/**
 * Sends {@code BYTES} bytes to {@code HOST:PORT} as fast as the connection takes them and prints
 * the time and throughput: the client of the bulk-egress benchmark. {@code java -cp benchmarks.jar
 * dev.sluice.bench.TcpBlast HOST PORT BYTES}
 */
public final class TcpBlast {

  private TcpBlast() {}

  public static void main(String[] args) throws IOException {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    long bytes = Long.parseLong(args[2]);
    byte[] buf = new byte[1 << 16];
    for (int i = 0; i < buf.length; i++) {
      buf[i] = (byte) (i * 31);
    }
    Clock clock = Clock.system();
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port));
      OutputStream out = s.getOutputStream();
      long start = clock.nanos();
      long left = bytes;
      while (left > 0) {
        int n = (int) Math.min(buf.length, left);
        out.write(buf, 0, n);
        left -= n;
      }
      out.flush();
      s.shutdownOutput();
      // Wait for the far end to close: every byte has been taken by then.
      while (s.getInputStream().read() >= 0) {
        // nothing comes back from a sink
      }
      double seconds = (clock.nanos() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%d bytes in %.3f s = %.1f MiB/s%n",
          bytes,
          seconds,
          bytes / seconds / (1 << 20));
    }
  }
}
