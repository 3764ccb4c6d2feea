package dev.sluice.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on {@code 127.0.0.1} (port 0) in front of one address, that a test can cut: a
 * network partition between whatever connects through it and the target. {@link #cut()} closes
 * every open connection at once and refuses every new one (accepted and closed at once, nothing
 * forwarded) until {@link #heal()}. Bytes are copied as they come, each direction on its own
 * thread, so HTTP/2 (gRPC) passes through unchanged.
 */
final class CuttableProxy implements AutoCloseable {

  private final InetSocketAddress target;
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(daemon());
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile boolean cut;
  private volatile boolean closed;

  private CuttableProxy(InetSocketAddress target, ServerSocket server) {
    this.target = target;
    this.server = server;
  }

  /** Starts forwarding to {@code target} ({@code http://host:port}). */
  static CuttableProxy start(URI target) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    CuttableProxy p =
        new CuttableProxy(new InetSocketAddress(target.getHost(), target.getPort()), server);
    p.threads.execute(p::acceptLoop);
    return p;
  }

  /** {@code http://127.0.0.1:PORT}: the URL to give clients instead of the target's. */
  URI url() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** Closes every open connection and refuses new ones until {@link #heal()}. */
  void cut() {
    cut = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  /** Forwards new connections again. */
  void heal() {
    cut = false;
  }

  /** Connections refused while cut. */
  int refused() {
    return refused.get();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (cut) {
        refused.incrementAndGet();
        closeQuietly(client);
        continue;
      }
      threads.execute(() -> connect(client));
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      upstream.connect(target, 5_000);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
      return;
    }
    open.add(client);
    open.add(upstream);
    if (cut) { // cut while connecting
      closeQuietly(client);
      closeQuietly(upstream);
    }
    threads.execute(() -> pump(client, upstream));
    threads.execute(() -> pump(upstream, client));
  }

  /** Copies {@code from} to {@code to} until either ends; then closes both. */
  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (SocketException closedOrReset) {
      // One side ended (or the proxy was cut).
    } catch (IOException e) {
      // Same: the connection is over.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  /** Stops accepting, closes every connection and waits briefly for the threads. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // Already closed.
    }
    cut();
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "cuttable-proxy");
      t.setDaemon(true);
      return t;
    };
  }
}
