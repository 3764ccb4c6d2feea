package dev.sluice.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP webhook receiver on loopback port 0 (the JDK's HttpServer): records every POST body
 * with the time it arrived, and answers with the next scripted status (200 once the script is
 * empty).
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request as received. */
  public record Received(long arrivedNanos, int answered, JsonNode body) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpServer server;
  private final ArrayDeque<Integer> script = new ArrayDeque<>();
  private final List<Received> received = new ArrayList<>();

  public WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/hook",
        ex -> {
          byte[] body;
          try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
          }
          int status;
          synchronized (this) {
            Integer next = script.pollFirst();
            status = next == null ? 200 : next;
          }
          JsonNode json = MAPPER.readTree(body);
          synchronized (this) {
            received.add(new Received(System.nanoTime(), status, json));
            notifyAll();
          }
          ex.sendResponseHeaders(status, -1);
          ex.close();
        });
    server.start();
  }

  /** The URL to configure: {@code http://127.0.0.1:PORT/hook}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** The next requests are answered with these statuses, in order. */
  public synchronized void answer(Integer... statuses) {
    script.addAll(List.of(statuses));
  }

  public synchronized List<Received> received() {
    return List.copyOf(received);
  }

  /** The bodies of the requests answered 2xx. */
  public synchronized List<JsonNode> accepted() {
    return received.stream().filter(r -> r.answered() / 100 == 2).map(Received::body).toList();
  }

  /** Waits (bounded) until at least {@code n} requests arrived; returns them. */
  public synchronized List<Received> await(int n, long timeoutMillis) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (received.size() < n) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "expected " + n + " webhook requests, got " + received.size() + ": " + received);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return List.copyOf(received);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
