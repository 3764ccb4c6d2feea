package dev.sluice.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP origin for the detection tests (the JDK's server on 127.0.0.1, port 0): {@code
 * /weights} streams a weight slice (chunked, 64 KiB writes), {@code /late} streams {@code prefix}
 * then the slice (the head and the text leave before the weights arrive), {@code /upload} reads a
 * request body and counts what arrived ({@link #uploaded()}).
 */
final class WeightsOrigin implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final AtomicLong uploaded = new AtomicLong();

  WeightsOrigin(byte[] slice, byte[] prefix) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(pool);
    server.createContext("/weights", x -> stream(x, new byte[0], slice));
    server.createContext("/late", x -> stream(x, prefix, slice));
    server.createContext(
        "/upload",
        x -> {
          try (InputStream in = x.getRequestBody()) {
            byte[] buf = new byte[64 << 10];
            for (int n; (n = in.read(buf)) >= 0; ) {
              uploaded.addAndGet(n);
            }
          } catch (IOException cut) {
            // the gateway cut the request
          }
          x.sendResponseHeaders(204, -1);
          x.close();
        });
    server.start();
  }

  private static void stream(HttpExchange x, byte[] first, byte[] then) throws IOException {
    x.getResponseHeaders().set("Content-Type", "application/octet-stream");
    x.sendResponseHeaders(200, 0);
    try (OutputStream out = x.getResponseBody()) {
      for (byte[] part : new byte[][] {first, then}) {
        for (int off = 0; off < part.length; off += 64 << 10) {
          out.write(part, off, Math.min(64 << 10, part.length - off));
          out.flush();
        }
      }
    } catch (IOException cut) {
      // the gateway cut the response
    }
  }

  String rootUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Bytes of request bodies {@code /upload} received. */
  long uploaded() {
    return uploaded.get();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
