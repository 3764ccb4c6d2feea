package dev.sluice.bench.soak;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking server on 127.0.0.1 that the soak's traffic reaches through the gateways: it accepts
 * on one thread of {@code pool} and serves each connection on another, counting those open, until
 * {@link #close()}. Subclasses say what a connection gets and what of it counts as delivered.
 */
abstract class SoakServer {
  private final ServerSocket server;
  private final ExecutorService pool;
  private final AtomicInteger open = new AtomicInteger();

  /** What arrives, counted per tenant as it arrives. */
  final Tally delivered;

  SoakServer(int port, Tally delivered, ExecutorService pool) throws IOException {
    this.server = new ServerSocket(port, 256, InetAddress.getLoopbackAddress());
    this.delivered = delivered;
    this.pool = pool;
  }

  void start() {
    pool.execute(
        () -> {
          while (!server.isClosed()) {
            try {
              Socket s = server.accept();
              open.incrementAndGet();
              pool.execute(
                  () -> {
                    try (s) {
                      s.setSoTimeout(30_000);
                      serve(s);
                    } catch (IOException e) {
                      // cut by the gateway (a cap, a killed node): what arrived is counted
                    } finally {
                      open.decrementAndGet();
                    }
                  });
            } catch (IOException e) {
              return; // closed
            }
          }
        });
  }

  int port() {
    return server.getLocalPort();
  }

  int openConnections() {
    return open.get();
  }

  void close() throws IOException {
    server.close();
  }

  /** Serves one connection; the socket is closed after it, also when it throws. */
  abstract void serve(Socket s) throws IOException;
}
