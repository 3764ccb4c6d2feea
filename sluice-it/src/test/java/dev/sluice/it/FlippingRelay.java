package dev.sluice.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A relay like {@link CountingRelay} that corrupts: on every connection it flips the lowest bit of
 * byte {@code flipAt} of what the target sends back (e.g. the gateway's side of an edge link), and
 * passes everything else on unchanged, as it arrives.
 */
final class FlippingRelay implements AutoCloseable {
  private final InetSocketAddress target;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong toTarget = new AtomicLong();
  private final AtomicLong fromTarget = new AtomicLong();

  private final long flipAt;

  private FlippingRelay(InetSocketAddress target, ServerSocket server, long flipAt) {
    this.target = target;
    this.server = server;
    this.flipAt = flipAt;
  }

  static FlippingRelay start(InetSocketAddress target, long flipAt) {
    try {
      ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
      FlippingRelay relay = new FlippingRelay(target, server, flipAt);
      daemon("relay-accept", relay::accept).start();
      return relay;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      connections.incrementAndGet();
      sockets.add(client);
      Socket up = new Socket();
      sockets.add(up);
      try {
        up.connect(target, 5_000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(up);
        continue;
      }
      daemon("relay-up", () -> pump(client, up, toTarget, -1)).start();
      daemon("relay-down", () -> pump(up, client, fromTarget, flipAt)).start();
    }
  }

  /** Copies {@code from} to {@code to}, flipping byte {@code flip} (if not -1) of this stream. */
  private static void pump(Socket from, Socket to, AtomicLong count, long flip) {
    byte[] buf = new byte[16 * 1024];
    long offset = 0;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        if (flip >= offset && flip < offset + n) {
          buf[(int) (flip - offset)] ^= 1;
        }
        offset += n;
        count.addAndGet(n);
        out.write(buf, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
  }

  InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  /** {@code http://127.0.0.1:PORT}. */
  String url() {
    return "http://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
  }

  long connections() {
    return connections.get();
  }

  /** Bytes passed from clients toward the target. */
  long bytesToTarget() {
    return toTarget.get();
  }

  /** Bytes passed from the target back to clients. */
  long bytesFromTarget() {
    return fromTarget.get();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
    sockets.forEach(FlippingRelay::closeQuietly);
  }
}
