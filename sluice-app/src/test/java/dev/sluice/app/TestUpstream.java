package dev.sluice.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A small upstream for gateway tests on loopback: {@code /sse?events=N} streams N SSE events with
 * chunked encoding, {@code /bytes?n=N} answers N bytes with Content-Length, {@code /echo} echoes
 * the request body and the tenant header it saw.
 */
final class TestUpstream implements AutoCloseable {

  private final HttpServer server;
  private final java.util.concurrent.ExecutorService pool =
      java.util.concurrent.Executors.newCachedThreadPool();

  /** Tokens that let {@code /slow} write its next event. */
  final java.util.concurrent.BlockingQueue<Integer> tokens =
      new java.util.concurrent.LinkedBlockingQueue<>();

  /** Released once per event {@code /slow} has written. */
  final java.util.concurrent.Semaphore written = new java.util.concurrent.Semaphore(0);

  TestUpstream() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(pool);
    server.createContext(
        "/sse",
        ex -> {
          int events = intParam(ex.getRequestURI().getQuery(), "events", 10);
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.sendResponseHeaders(200, 0);
          try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < events; i++) {
              out.write(
                  ("data: {\"i\":" + i + ",\"text\":\"hello\"}\n\n")
                      .getBytes(StandardCharsets.UTF_8));
              out.flush();
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
          }
        });
    server.createContext(
        "/slow",
        ex -> {
          // One event per token the test releases: a stream the test paces exactly.
          int events = intParam(ex.getRequestURI().getQuery(), "events", 10);
          ex.getResponseHeaders().set("Content-Type", "text/event-stream");
          ex.sendResponseHeaders(200, 0);
          try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < events; i++) {
              if (tokens.poll(10, java.util.concurrent.TimeUnit.SECONDS) == null) {
                return;
              }
              out.write(("data: {\"i\":" + i + "}\n\n").getBytes(StandardCharsets.UTF_8));
              out.flush();
              written.release();
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (IOException e) {
            // the gateway cut the stream
          }
        });
    server.createContext(
        "/bytes",
        ex -> {
          int n = intParam(ex.getRequestURI().getQuery(), "n", 1024);
          byte[] body = new byte[n];
          java.util.Arrays.fill(body, (byte) 'x');
          ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
          ex.sendResponseHeaders(200, n);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.createContext(
        "/port",
        ex -> {
          // The gateway's side of the upstream connection: equal ports mean a reused connection.
          byte[] body =
              Integer.toString(ex.getRemoteAddress().getPort()).getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.createContext(
        "/echo",
        ex -> {
          byte[] in = ex.getRequestBody().readAllBytes();
          String tenant = ex.getRequestHeaders().getFirst("X-Tenant");
          byte[] body =
              ("tenant=" + tenant + " body=" + new String(in, StandardCharsets.UTF_8))
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static int intParam(String query, String name, int dflt) {
    if (query == null) {
      return dflt;
    }
    for (String kv : query.split("&")) {
      String[] p = kv.split("=", 2);
      if (p.length == 2 && p[0].equals(name)) {
        return Integer.parseInt(p[1]);
      }
    }
    return dflt;
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
