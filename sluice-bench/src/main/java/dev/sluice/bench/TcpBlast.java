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
 * dev.sluice.bench.TcpBlast HOST PORT BYTES [CONTENT]}, CONTENT one of {@code pattern} (the
 * default: the byte at offset i is {@code i * 31}, a 256-byte cycle), {@code random} (64 MiB of
 * seeded random bytes, cycled: encrypted or compressed data as a scanner sees it) or a file (its
 * first 64 MiB, cycled: e.g. text). What the bytes are does not matter to a proxy that only
 * forwards; it does to one that scans them.
 */
public final class TcpBlast {

  private static final int WRITE = 1 << 16;
  private static final int MAX_CONTENT = 64 << 20;

  private TcpBlast() {}

  static byte[] content(String what) throws IOException {
    if (what.equals("pattern")) {
      byte[] buf = new byte[WRITE];
      for (int i = 0; i < buf.length; i++) {
        buf[i] = (byte) (i * 31);
      }
      return buf;
    }
    if (what.equals("random")) {
      byte[] buf = new byte[MAX_CONTENT];
      new java.util.SplittableRandom(17).nextBytes(buf);
      return buf;
    }
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(what))) {
      byte[] buf = in.readNBytes(MAX_CONTENT);
      if (buf.length == 0) {
        throw new IOException(what + ": empty");
      }
      return buf;
    }
  }

  public static void main(String[] args) throws IOException {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    long bytes = Long.parseLong(args[2]);
    byte[] buf = content(args.length > 3 ? args[3] : "pattern");
    Clock clock = Clock.system();
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port));
      OutputStream out = s.getOutputStream();
      long start = clock.nanos();
      long left = bytes;
      int at = 0;
      while (left > 0) {
        int n = (int) Math.min(Math.min(WRITE, buf.length - at), left);
        out.write(buf, at, n);
        left -= n;
        at = (at + n) % buf.length;
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
