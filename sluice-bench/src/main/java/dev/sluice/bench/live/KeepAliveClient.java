package dev.sluice.bench.live;

import dev.sluice.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * An HTTP/1.1 client of one keep-alive connection, as a client of a busy service uses one: a
 * request, its whole response (by {@code Content-Length} or chunked framing), the next request on
 * the same connection. It notes when each read arrived and how far the decoded body had got, so
 * that the arrival of every event of a stream is known whatever chunks a proxy cut. One thread at a
 * time; not for pipelining.
 */
public final class KeepAliveClient implements AutoCloseable {
  private final Clock clock;
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final byte[] buf = new byte[16 * 1024];
  private int pos;
  private int limit;
  private long fillNanos = -1;
  private long firstByteNanos = -1;
  private long wire;

  public KeepAliveClient(InetSocketAddress to, Clock clock, Duration readTimeout)
      throws IOException {
    this.clock = clock;
    socket = new Socket();
    try {
      socket.connect(to, 5_000);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
      out = socket.getOutputStream();
      in = socket.getInputStream();
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** Writes {@code request} and reads its whole response. */
  public Exchange exchange(byte[] request) throws IOException {
    wire = 0;
    firstByteNanos = -1;
    if (pos < limit) {
      throw new IOException("the server sent " + (limit - pos) + " bytes before the request");
    }
    long sent = clock.nanos();
    out.write(request);
    out.flush();
    Timeline timeline = new Timeline();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    String head = head();
    boolean complete;
    String te = header(head, "transfer-encoding");
    String cl = header(head, "content-length");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      complete = chunked(body, timeline);
    } else if (cl != null) {
      long n = Long.parseLong(cl.trim());
      complete = copy(n, body, timeline) == n;
    } else {
      throw new IOException("a response without length on a keep-alive connection: " + head);
    }
    return new Exchange(
        sent,
        firstByteNanos,
        head,
        body.toByteArray(),
        complete,
        wire,
        timeline.arrivals(),
        timeline.lengths());
  }

  /** Status line and headers, up to the blank line. */
  private String head() throws IOException {
    StringBuilder h = new StringBuilder(line());
    for (String line = line(); !line.isEmpty(); line = line()) {
      h.append("\r\n").append(line);
    }
    return h.toString();
  }

  private boolean chunked(ByteArrayOutputStream body, Timeline timeline) throws IOException {
    for (; ; ) {
      String size = line();
      int semi = size.indexOf(';');
      long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
          // trailers are read and dropped
        }
        return true;
      }
      if (copy(n, body, timeline) < n || !line().isEmpty()) {
        return false;
      }
    }
  }

  /** Copies up to {@code n} body bytes; how many there were before the stream ended. */
  private long copy(long n, ByteArrayOutputStream body, Timeline timeline) throws IOException {
    long done = 0;
    while (done < n) {
      if (pos == limit && !fill()) {
        return done;
      }
      int k = (int) Math.min(n - done, limit - pos);
      body.write(buf, pos, k);
      pos += k;
      done += k;
      timeline.reached(fillNanos, body.size());
    }
    return done;
  }

  private String line() throws IOException {
    ByteArrayOutputStream l = new ByteArrayOutputStream();
    for (; ; ) {
      if (pos == limit && !fill()) {
        throw new IOException("the connection ended mid-line after: " + l);
      }
      byte b = buf[pos++];
      if (b == '\n') {
        byte[] a = l.toByteArray();
        int n = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
        return new String(a, 0, n, StandardCharsets.ISO_8859_1);
      }
      l.write(b);
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buf);
    if (n < 0) {
      return false;
    }
    fillNanos = clock.nanos();
    if (firstByteNanos < 0) {
      firstByteNanos = fillNanos;
    }
    pos = 0;
    limit = n;
    wire += n;
    return true;
  }

  private static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** When the body reached each length: one entry per read that added to it. */
  private static final class Timeline {
    private long[] arrivals = new long[64];
    private int[] lengths = new int[64];
    private int n;

    void reached(long nanos, int length) {
      if (n > 0 && arrivals[n - 1] == nanos) {
        lengths[n - 1] = length;
        return;
      }
      if (n == arrivals.length) {
        arrivals = Arrays.copyOf(arrivals, 2 * n);
        lengths = Arrays.copyOf(lengths, 2 * n);
      }
      arrivals[n] = nanos;
      lengths[n++] = length;
    }

    long[] arrivals() {
      return Arrays.copyOf(arrivals, n);
    }

    int[] lengths() {
      return Arrays.copyOf(lengths, n);
    }
  }
}
