package dev.sluice.it;

import dev.sluice.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * One HTTP exchange read on its own thread, so a test can watch it while it streams: how many whole
 * SSE events and bytes have arrived, when the last byte did, and whether the server has closed the
 * connection. Waiting is on conditions ({@link #awaitEvents}, {@link #awaitEnd}) with deadlines,
 * never on the clock alone. {@link #close} closes the socket.
 */
final class LiveStream implements AutoCloseable {
  private static final Clock CLOCK = Clock.system();

  private final Socket socket;
  private final ByteArrayOutputStream got = new ByteArrayOutputStream();
  private long lastByteNanos;
  private boolean ended;
  private boolean eof;
  private IOException error;

  private LiveStream(Socket socket) {
    this.socket = socket;
  }

  /** Connects, writes {@code request} and starts reading. */
  static LiveStream open(InetSocketAddress to, byte[] request) throws IOException {
    Socket s = new Socket();
    s.connect(to, 5_000);
    s.getOutputStream().write(request);
    s.getOutputStream().flush();
    LiveStream live = new LiveStream(s);
    Thread t = new Thread(live::read, "live-stream");
    t.setDaemon(true);
    t.start();
    return live;
  }

  private void read() {
    byte[] buf = new byte[16 * 1024];
    try {
      InputStream in = socket.getInputStream();
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        synchronized (this) {
          got.write(buf, 0, n);
          lastByteNanos = CLOCK.nanos();
          notifyAll();
        }
      }
      synchronized (this) {
        eof = true;
      }
    } catch (IOException e) {
      synchronized (this) {
        error = e;
        eof = String.valueOf(e.getMessage()).contains("reset");
      }
    } finally {
      synchronized (this) {
        ended = true;
        notifyAll();
      }
    }
  }

  /** What arrived so far, parsed. */
  synchronized RawHttp.Response response() {
    return new RawHttp.Response(got.toByteArray(), eof, error, lastByteNanos);
  }

  /** Whole SSE events received so far. */
  int events() {
    return response().events().size();
  }

  synchronized long bytes() {
    return got.size();
  }

  synchronized long lastByteNanos() {
    return lastByteNanos;
  }

  /**
   * Waits until at least {@code n} whole events arrived; false if the stream ended or timed out.
   */
  synchronized boolean awaitEvents(int n, Duration timeout) throws InterruptedException {
    long deadline = CLOCK.nanos() + timeout.toNanos();
    while (events() < n) {
      long left = deadline - CLOCK.nanos();
      if (ended || left <= 0) {
        return events() >= n;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** Waits until the server closed the connection (or reading failed); null if it did not. */
  synchronized RawHttp.Response awaitEnd(Duration timeout) throws InterruptedException {
    long deadline = CLOCK.nanos() + timeout.toNanos();
    while (!ended) {
      long left = deadline - CLOCK.nanos();
      if (left <= 0) {
        return null;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return response();
  }

  /** Whether the server closed the connection or reading failed. */
  synchronized boolean ended() {
    return ended;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing anyway.
    }
  }
}
