package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A webhook receiver for alert tests: a JDK HttpServer on loopback port 0 that answers {@code 200}
 * to every POST on {@code /hook} and keeps each Alertmanager v4 notification with the time it
 * arrived (the test's monotonic clock). Waiting is on the receiver's own monitor, notified on every
 * arrival, with a deadline: no sleeps.
 */
final class WebhookReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();

  /** One alert of a notification, with when its notification arrived. */
  record Received(long nanos, JsonNode notification, JsonNode alert) {
    String label(String name) {
      return alert.path("labels").path(name).asText();
    }

    String status() {
      return alert.path("status").asText();
    }
  }

  private final HttpServer server;
  private final List<Received> alerts = new ArrayList<>();

  private WebhookReceiver(HttpServer server) {
    this.server = server;
  }

  static WebhookReceiver start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    WebhookReceiver r = new WebhookReceiver(server);
    server.createContext(
        "/hook",
        ex -> {
          byte[] body;
          try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
          }
          long at = CLOCK.nanos();
          JsonNode n = JSON.readTree(body);
          synchronized (r) {
            for (JsonNode a : n.path("alerts")) {
              r.alerts.add(new Received(at, n, a));
            }
            r.notifyAll();
          }
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.start();
    return r;
  }

  /** The URL the nodes post to. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** Every alert received so far, in arrival order. */
  synchronized List<Received> all() {
    return List.copyOf(alerts);
  }

  /** The alerts received so far that match {@code p}. */
  synchronized List<Received> matching(Predicate<Received> p) {
    return alerts.stream().filter(p).toList();
  }

  /** The first alert received that matches {@code p}, waiting up to {@code timeout} for it. */
  synchronized Optional<Received> await(Predicate<Received> p, Duration timeout)
      throws InterruptedException {
    long deadline = CLOCK.nanos() + timeout.toNanos();
    while (true) {
      for (Received r : alerts) {
        if (p.test(r)) {
          return Optional.of(r);
        }
      }
      long left = deadline - CLOCK.nanos();
      if (left <= 0) {
        return Optional.empty();
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
