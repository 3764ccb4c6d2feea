package dev.sluice.bench;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The SSE client of {@code bench/compare.sh}: keeps {@code --streams} concurrent streaming chat
 * completions ({@code "stream": true}) running against each named target in turn, alternating
 * targets run by run (A B C A B C ...) so drift cancels, after one warm-up run per target.
 *
 * <p>Each of the {@code --streams} workers has its own keep-alive connection and starts, after a
 * ramp (worker {@code i} waits {@code i * ramp / streams}), one stream after another until the
 * run's duration is up; streams still open {@code --grace-s} later are cut (their time to first
 * byte counts, their total does not). Worker {@code w} asks for prompts {@code "compare w-0"},
 * {@code "compare w-1"}, ..., so every target is asked the same sequence and gets the same corpus
 * answers.
 *
 * <p>Time to first byte (TTFB) is from writing the request to the arrival of the first byte of the
 * response body (the first SSE event: the upstream writes it as soon as it has the request). The
 * stream time is from writing the request to the end of the body.
 *
 * <p>Per run and target it prints one line per metric to stdout, tab-separated: {@code sse PEER RUN
 * METRIC VALUE} with metrics {@code ttfb_p50_ms}, {@code ttfb_p99_ms}, {@code stream_p50_s}, {@code
 * ttfb_new_conn_p99_ms} and {@code ttfb_reused_conn_p99_ms} (the first stream on each connection,
 * and the others), {@code streams}, {@code errors}. {@code --streams-out FILE} also records every
 * stream.
 *
 * <pre>
 * java -cp benchmarks.jar dev.sluice.bench.SseLoad [--streams 200] [--duration-s 15] [--grace-s 5]
 *     [--ramp-s 2] [--runs 3] [--warmup-s 5] [--streams-out FILE] NAME=URL...
 * </pre>
 *
 * URL is {@code http://127.0.0.1:PORT/v1/chat/completions}.
 */
public final class SseLoad {

  /**
   * The machine's clock: read through {@link Clock}, as everywhere (the build bans direct reads).
   */
  private static final Clock CLOCK = Clock.system();

  private static final int READ_TIMEOUT_MS = 15_000;

  private SseLoad() {}

  /** One stream's outcome. {@code ttfbNanos} and {@code totalNanos} are -1 when not reached. */
  record Stream(
      int worker,
      int seq,
      boolean newConnection,
      long ttfbNanos,
      long totalNanos,
      long bodyBytes,
      String error) {}

  public static void main(String[] args) throws Exception {
    int streams = 200;
    double durationS = 15;
    double graceS = 5;
    double rampS = 2;
    int runs = 3;
    double warmupS = 5;
    Path streamsOut = null;
    Map<String, URI> targets = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--streams" -> streams = Integer.parseInt(args[++i]);
        case "--duration-s" -> durationS = Double.parseDouble(args[++i]);
        case "--grace-s" -> graceS = Double.parseDouble(args[++i]);
        case "--ramp-s" -> rampS = Double.parseDouble(args[++i]);
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--warmup-s" -> warmupS = Double.parseDouble(args[++i]);
        case "--streams-out" -> streamsOut = Path.of(args[++i]);
        default -> {
          int eq = args[i].indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("expected NAME=URL, got " + args[i]);
          }
          targets.put(args[i].substring(0, eq), URI.create(args[i].substring(eq + 1)));
        }
      }
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets (NAME=URL)");
    }
    PrintStream detail =
        streamsOut == null
            ? null
            : new PrintStream(Files.newOutputStream(streamsOut), true, StandardCharsets.UTF_8);
    if (detail != null) {
      detail.println("peer\trun\tworker\tseq\tnew_conn\tttfb_ms\tstream_ms\tbody_bytes\terror");
    }
    try {
      for (Map.Entry<String, URI> t : targets.entrySet()) {
        List<Stream> warm = run(t.getValue(), streams, warmupS, graceS, rampS);
        System.err.printf(Locale.ROOT, "sse warm-up %s: %d streams%n", t.getKey(), countTtfb(warm));
      }
      for (int r = 1; r <= runs; r++) {
        for (Map.Entry<String, URI> t : targets.entrySet()) {
          List<Stream> result = run(t.getValue(), streams, durationS, graceS, rampS);
          report(t.getKey(), r, result, detail);
        }
      }
    } finally {
      if (detail != null) {
        detail.close();
      }
    }
  }

  private static long countTtfb(List<Stream> streams) {
    return streams.stream().filter(s -> s.ttfbNanos() >= 0).count();
  }

  private static void report(String peer, int run, List<Stream> result, PrintStream detail) {
    long[] ttfb =
        result.stream()
            .filter(s -> s.ttfbNanos() >= 0)
            .mapToLong(Stream::ttfbNanos)
            .sorted()
            .toArray();
    long[] total =
        result.stream()
            .filter(s -> s.totalNanos() >= 0)
            .mapToLong(Stream::totalNanos)
            .sorted()
            .toArray();
    long errors =
        result.stream().filter(s -> s.error() != null && !s.error().equals("cut")).count();
    long[] ttfbNew = ttfbOf(result, true);
    long[] ttfbReused = ttfbOf(result, false);
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "sse\t%s\t%d\tttfb_p50_ms\t%.3f%n", peer, run, pct(ttfb, 50) / 1e6);
    out.printf(Locale.ROOT, "sse\t%s\t%d\tttfb_p99_ms\t%.3f%n", peer, run, pct(ttfb, 99) / 1e6);
    out.printf(Locale.ROOT, "sse\t%s\t%d\tstream_p50_s\t%.3f%n", peer, run, pct(total, 50) / 1e9);
    out.printf(
        Locale.ROOT,
        "sse\t%s\t%d\tttfb_new_conn_p99_ms\t%.3f%n",
        peer,
        run,
        pct(ttfbNew, 99) / 1e6);
    out.printf(
        Locale.ROOT,
        "sse\t%s\t%d\tttfb_reused_conn_p99_ms\t%.3f%n",
        peer,
        run,
        pct(ttfbReused, 99) / 1e6);
    out.printf(Locale.ROOT, "sse\t%s\t%d\tstreams\t%d%n", peer, run, ttfb.length);
    out.printf(Locale.ROOT, "sse\t%s\t%d\terrors\t%d%n", peer, run, errors);
    out.flush();
    System.err.printf(
        Locale.ROOT,
        "sse run %d %s: %d streams (%d complete, %d errors), ttfb p50 %.3f ms p99 %.3f ms%n",
        run,
        peer,
        ttfb.length,
        total.length,
        errors,
        pct(ttfb, 50) / 1e6,
        pct(ttfb, 99) / 1e6);
    if (detail != null) {
      for (Stream s : result) {
        detail.printf(
            Locale.ROOT,
            "%s\t%d\t%d\t%d\t%b\t%.3f\t%.3f\t%d\t%s%n",
            peer,
            run,
            s.worker(),
            s.seq(),
            s.newConnection(),
            s.ttfbNanos() < 0 ? Double.NaN : s.ttfbNanos() / 1e6,
            s.totalNanos() < 0 ? Double.NaN : s.totalNanos() / 1e6,
            s.bodyBytes(),
            s.error() == null ? "-" : s.error());
      }
    }
  }

  private static long[] ttfbOf(List<Stream> result, boolean newConnection) {
    return result.stream()
        .filter(s -> s.ttfbNanos() >= 0 && s.newConnection() == newConnection)
        .mapToLong(Stream::ttfbNanos)
        .sorted()
        .toArray();
  }

  /** Nearest-rank percentile of sorted values; NaN when there are none. */
  static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }

  /** One run against one target: every stream of every worker. */
  static List<Stream> run(URI url, int streams, double durationS, double graceS, double rampS)
      throws InterruptedException {
    long start = CLOCK.nanos();
    long stopStarting = start + (long) (durationS * 1e9);
    long cut = stopStarting + (long) (graceS * 1e9);
    ConcurrentLinkedQueue<Stream> results = new ConcurrentLinkedQueue<>();
    List<Worker> workers = new ArrayList<>();
    for (int w = 0; w < streams; w++) {
      long startAt = start + (long) (rampS * 1e9 * w / streams);
      Worker worker = new Worker(url, w, startAt, stopStarting, results);
      workers.add(worker);
      worker.thread.start();
    }
    long left;
    while ((left = cut - CLOCK.nanos()) > 0) {
      Thread.sleep(Math.max(1, Math.min(200, left / 1_000_000)));
      if (workers.stream().noneMatch(x -> x.thread.isAlive())) {
        break;
      }
    }
    for (Worker w : workers) {
      w.stop();
    }
    for (Worker w : workers) {
      w.thread.join(10_000);
    }
    return new ArrayList<>(results);
  }

  /** A client that runs streams one after another on one keep-alive connection. */
  private static final class Worker implements Runnable {
    final Thread thread;
    private final URI url;
    private final int id;
    private final long startAt;
    private final long stopStarting;
    private final ConcurrentLinkedQueue<Stream> results;
    private volatile boolean stopped;
    private volatile Socket socket;

    Worker(
        URI url, int id, long startAt, long stopStarting, ConcurrentLinkedQueue<Stream> results) {
      this.url = url;
      this.id = id;
      this.startAt = startAt;
      this.stopStarting = stopStarting;
      this.results = results;
      this.thread = new Thread(this, "sse-" + id);
      thread.setDaemon(true);
    }

    void stop() {
      stopped = true;
      closeQuietly(socket);
    }

    @Override
    public void run() {
      try {
        long wait = startAt - CLOCK.nanos();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      } catch (InterruptedException e) {
        return;
      }
      Conn conn = null;
      for (int seq = 0; !stopped && CLOCK.nanos() < stopStarting; seq++) {
        byte[] request = StreamingChatRequest.bytes(url, "compare " + id + "-" + seq);
        long sent = -1;
        Response r = new Response();
        boolean fresh = conn == null;
        try {
          if (conn == null) {
            Socket s = new Socket();
            socket = s;
            if (stopped) {
              s.close();
              break;
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.connect(new InetSocketAddress(url.getHost(), url.getPort()), READ_TIMEOUT_MS);
            conn = new Conn(s);
          }
          sent = CLOCK.nanos();
          conn.out.write(request);
          conn.out.flush();
          boolean keepAlive = conn.readResponse(r);
          long done = CLOCK.nanos();
          String error = r.status == 200 ? null : "status " + r.status;
          results.add(
              new Stream(id, seq, fresh, r.firstBodyAt - sent, done - sent, r.bodyBytes, error));
          if (!keepAlive) {
            conn.close();
            conn = null;
          }
        } catch (IOException | RuntimeException e) {
          long ttfb = sent >= 0 && r.firstBodyAt > 0 ? r.firstBodyAt - sent : -1;
          String error = stopped ? "cut" : e.getClass().getSimpleName() + ": " + e.getMessage();
          results.add(new Stream(id, seq, fresh, ttfb, -1, r.bodyBytes, error.replace('\t', ' ')));
          if (conn != null) {
            conn.close();
            conn = null;
          }
        }
      }
      if (conn != null) {
        conn.close();
      }
    }
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // already closed
      }
    }
  }

  /** What {@link Conn#readResponse} saw. */
  private static final class Response {
    int status;
    long firstBodyAt;
    long bodyBytes;
  }

  /**
   * A client connection with its own read buffer that remembers when each fill arrived, so the
   * arrival time of any byte is the time of the read that brought it.
   */
  private static final class Conn {
    final Socket socket;
    final OutputStream out;
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private long filledAt;

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      this.in = socket.getInputStream();
    }

    void close() {
      closeQuietly(socket);
    }

    private int read() throws IOException {
      if (pos == lim) {
        int n = in.read(buf);
        if (n < 0) {
          return -1;
        }
        filledAt = CLOCK.nanos();
        pos = 0;
        lim = n;
      }
      return buf[pos++] & 0xff;
    }

    private int readOrFail() throws IOException {
      int b = read();
      if (b < 0) {
        throw new IOException("connection closed mid-response");
      }
      return b;
    }

    /** The arrival time of the next byte, reading it into the buffer if needed. */
    private long peekArrival() throws IOException {
      if (pos == lim) {
        readOrFail();
        pos--;
      }
      return filledAt;
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int b = readOrFail(); b != '\n'; b = readOrFail()) {
        if (b != '\r') {
          sb.append((char) b);
        }
      }
      return sb.toString();
    }

    private void skip(long n) throws IOException {
      for (long i = 0; i < n; i++) {
        readOrFail();
      }
    }

    /** Reads one response; returns whether the connection may be reused. */
    boolean readResponse(Response r) throws IOException {
      String status = line();
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x status line: " + status);
      }
      r.status = Integer.parseInt(parts[1]);
      boolean keepAlive = parts[0].equals("HTTP/1.1");
      boolean chunked = false;
      long length = -1;
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
        switch (name) {
          case "transfer-encoding" -> chunked = value.contains("chunked");
          case "content-length" -> length = Long.parseLong(value);
          case "connection" -> {
            if (value.contains("close")) {
              keepAlive = false;
            } else if (value.contains("keep-alive")) {
              keepAlive = true;
            }
          }
          default -> {
            // not needed
          }
        }
      }
      if (chunked) {
        for (boolean first = true; ; first = false) {
          if (first) {
            r.firstBodyAt = peekArrival();
          }
          String sizeLine = line();
          int semi = sizeLine.indexOf(';');
          long size =
              Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
          if (size == 0) {
            while (!line().isEmpty()) {
              // trailers
            }
            return keepAlive;
          }
          skip(size);
          r.bodyBytes += size;
          line();
        }
      }
      if (length >= 0) {
        if (length > 0) {
          r.firstBodyAt = peekArrival();
        }
        skip(length);
        r.bodyBytes = length;
        return keepAlive;
      }
      r.firstBodyAt = peekArrival();
      while (read() >= 0) {
        r.bodyBytes++;
      }
      return false;
    }
  }
}
