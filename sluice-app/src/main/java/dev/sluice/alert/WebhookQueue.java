package dev.sluice.alert;

import dev.sluice.config.AlertsConfig;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifications waiting for one webhook, sent in order by {@link #deliverDue} on the delivery
 * thread (never on a data-plane thread).
 *
 * <p>A 2xx answer delivers the notification. A 5xx, 408 or 429 answer, a timeout or a connection
 * failure leaves it at the head of the queue and retries it after {@code backoff.initial}, doubling
 * up to {@code backoff.max} (the clock's monotonic reading decides when, so tests move a manual
 * clock); notifications behind it wait, so a receiver sees the changes in order. Any other answer
 * (a 4xx: the receiver will never take it) drops it with an error line. At most {@code queue}
 * notifications wait; a new one beyond that drops the oldest, counted and logged. Thread-safe.
 */
final class WebhookQueue {

  private static final Logger log = LoggerFactory.getLogger(WebhookQueue.class);

  private record Pending(byte[] body, int attempts, long dueNanos) {}

  private final AlertsConfig.Webhook hook;
  private final String label;
  private final HttpClient client;
  private final Clock clock;
  private final Duration initial;
  private final Duration max;
  private final int capacity;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  WebhookQueue(AlertsConfig.Webhook hook, HttpClient client, Clock clock, AlertsConfig config) {
    this.hook = Objects.requireNonNull(hook, "hook");
    this.label = label(hook.url());
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.initial = config.backoffInitial();
    this.max = config.backoffMax();
    this.capacity = config.queue();
  }

  /** The URL without user info, query or fragment: the metric label and log name. */
  static String label(URI u) {
    return u.getScheme()
        + "://"
        + u.getHost()
        + (u.getPort() < 0 ? "" : ":" + u.getPort())
        + (u.getRawPath() == null ? "" : u.getRawPath());
  }

  String label() {
    return label;
  }

  synchronized void offer(byte[] body) {
    if (queue.size() >= capacity) {
      queue.removeFirst();
      dropped.incrementAndGet();
      log.error(
          "alert webhook {}: {} notifications waiting, the oldest is dropped", label, capacity);
    }
    queue.addLast(new Pending(body, 0, clock.nanos()));
  }

  /** Sends the notifications that are due, in order, until one fails or none is due. */
  void deliverDue() {
    while (true) {
      Pending p;
      synchronized (this) {
        p = queue.peekFirst();
        if (p == null || clock.nanos() - p.dueNanos() < 0) {
          return;
        }
      }
      int status;
      String failure;
      try {
        HttpResponse<Void> r =
            client.send(
                HttpRequest.newBuilder(hook.url())
                    .timeout(hook.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Sluice-Alerts")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(p.body()))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        status = r.statusCode();
        failure = "HTTP " + status;
      } catch (IOException e) {
        status = -1;
        failure = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      synchronized (this) {
        if (queue.peekFirst() != p) {
          continue; // dropped for room meanwhile
        }
        if (status >= 200 && status < 300) {
          queue.removeFirst();
          delivered.incrementAndGet();
          continue;
        }
        failed.incrementAndGet();
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
          queue.removeFirst();
          dropped.incrementAndGet();
          log.error("alert webhook {} refused a notification ({}); dropped", label, failure);
          continue;
        }
        int attempts = p.attempts() + 1;
        Duration wait = backoff(initial, max, attempts);
        queue.removeFirst();
        queue.addFirst(new Pending(p.body(), attempts, clock.nanos() + wait.toNanos()));
        log.warn(
            "alert webhook {} failed ({}), attempt {}; retrying in {} ms",
            label,
            failure,
            attempts,
            wait.toMillis());
        return;
      }
    }
  }

  /** {@code initial × 2^(attempts-1)}, at most {@code max}. */
  static Duration backoff(Duration initial, Duration max, int attempts) {
    Duration d = initial;
    for (int i = 1; i < attempts && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }

  synchronized int queued() {
    return queue.size();
  }

  long delivered() {
    return delivered.get();
  }

  long failed() {
    return failed.get();
  }

  long dropped() {
    return dropped.get();
  }
}
