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
 * A TCP relay on {@code 127.0.0.1:0} that counts what passes: connections accepted, bytes toward
 * the target, bytes back from it. In front of an upstream it tells whether the gateway forwarded
 * anything at all; in front of the gateway it counts every byte a client library received on the
 * wire (framing included), which the library itself does not show. Bytes are passed on as they
 * arrive, so streams stay streams. {@link #flipping} makes one that also corrupts: on every
 * connection it flips the lowest bit of one byte of what the target sends back (e.g. the gateway's
 * side of an edge link).
 */
final class CountingRelay implements AutoCloseable {
  private final InetSocketAddress target;
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong toTarget = new AtomicLong();
  private final AtomicLong fromTarget = new AtomicLong();

  /** Offset in each connection's stream back from the target of the byte to flip; -1: none. */
  private final long flipAt;

  private CountingRelay(InetSocketAddress target, ServerSocket server, long flipAt) {
    this.target = target;
    this.server = server;
    this.flipAt = flipAt;
  }

  static CountingRelay start(InetSocketAddress target) {
    return start(target, -1);
  }

  /** A relay that flips the lowest bit of byte {@code flipAt} of each stream from the target. */
  static CountingRelay flipping(InetSocketAddress target, long flipAt) {
    return start(target, flipAt);
  }

  private static CountingRelay start(InetSocketAddress target, long flipAt) {
    try {
      ServerSocket server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
      CountingRelay relay = new CountingRelay(target, server, flipAt);
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
        // Transparent for latency too: no Nagle delay on small writes (live SSE events).
        client.setTcpNoDelay(true);
        up.setTcpNoDelay(true);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(up);
        continue;
      }
      daemon("relay-up", () -> pump(client, up, toTarget, -1)).start();
      daemon("relay-down", () -> pump(up, client, fromTarget, flipAt)).start();
    }
  }

  /**
   * Copies {@code from} to {@code to} until end of stream, flipping byte {@code flip} (if not -1),
   * then half-closes {@code to}.
   */
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
    sockets.forEach(CountingRelay::closeQuietly);
  }
}
