package dev.sluice.bench.soak;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The raw TCP destination of CONNECT tunnels and tcp listeners, on 127.0.0.1. A connection's first
 * line names the tenant ({@code TENANT\n}); every byte received, that line included, counts as that
 * tenant's egress in the tally as it arrives. It closes at end of stream.
 */
final class SoakSink {
  private final ServerSocket server;
  private final Tally delivered;
  private final ExecutorService pool;
  private final AtomicInteger open = new AtomicInteger();

  SoakSink(int port, Tally delivered, ExecutorService pool) throws IOException {
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
              pool.execute(() -> serve(s));
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

  private void serve(Socket s) {
    try (s) {
      s.setSoTimeout(30_000);
      InputStream in = s.getInputStream();
      byte[] line = Wire.readLine(in);
      if (line.length == 0 || line[line.length - 1] != '\n') {
        delivered.add("(sink: no tenant line)", line.length);
        return;
      }
      String tenant = new String(line, 0, line.length - 1, StandardCharsets.US_ASCII).trim();
      delivered.add(tenant, line.length);
      Wire.drain(in, n -> delivered.add(tenant, n));
    } catch (IOException e) {
      // cut by the gateway (a cap, a killed node): what arrived is counted
    } finally {
      open.decrementAndGet();
    }
  }
}
