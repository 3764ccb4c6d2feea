package dev.sluice.gateway.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.SocketFixture;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream that closes its connection right after the last byte of a large response (python's
 * {@code http.server} does: HTTP/1.0, close after the body), behind a real reverse listener, to a
 * client that reads slowly (a 4KiB receive buffer, 1KiB reads), so that the gateway still holds
 * bytes for the client when it sees the upstream's close. Every byte of a complete response must
 * reach the client and the connection record must say it ended well; a response cut short by the
 * upstream stays an error, and the client gets exactly the bytes charged, then a close.
 */
class UpstreamCloseTest {

  private static final int SIZE = 16 << 20;

  @TempDir Path dir;

  private ServerSocket upstream;
  private SocketFixture gw;

  @AfterEach
  void tearDown() throws IOException {
    if (gw != null) {
      gw.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** How the test upstream frames its one response and ends it. */
  private enum Framing {
    /** {@code HTTP/1.1 200} with {@code Content-Length}, the whole body, then a close. */
    LENGTH,
    /** {@code HTTP/1.0 200} without a length: the body ends with the close. */
    CLOSE_DELIMITED,
    /** {@code Content-Length: SIZE} but only half the body, then a close. */
    SHORT
  }

  /** A byte of the body at {@code i}: a pattern, so that a lost or reordered run shows. */
  private static byte bodyByte(long i) {
    return (byte) (i % 251);
  }

  /**
   * Accepts one connection, reads the request head, writes a response framed as {@code f} in 64KiB
   * writes and closes the socket at once.
   */
  private CompletableFuture<Void> serveOnce(Framing f) throws IOException {
    upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    return CompletableFuture.runAsync(
        () -> {
          try (Socket s = upstream.accept()) {
            readHead(s.getInputStream());
            String head =
                f == Framing.CLOSE_DELIMITED
                    ? "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: "
                        + SIZE
                        + "\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            int body = f == Framing.SHORT ? SIZE / 2 : SIZE;
            byte[] buf = new byte[64 << 10];
            for (int off = 0; off < body; off += buf.length) {
              int n = Math.min(buf.length, body - off);
              for (int i = 0; i < n; i++) {
                buf[i] = bodyByte(off + (long) i);
              }
              out.write(buf, 0, n);
            }
            out.flush();
          } catch (IOException e) {
            throw new IllegalStateException("test upstream: " + e, e);
          }
        });
  }

  private static void readHead(InputStream in) throws IOException {
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request head not complete");
      }
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  /** What the slow client received before the gateway closed the connection. */
  private record Received(byte[] bytes, boolean reset) {
    int headEnd() {
      String s = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1);
      int i = s.indexOf("\r\n\r\n");
      assertThat(i).as("a response head").isPositive();
      return i + 4;
    }

    String head() {
      return new String(bytes, 0, headEnd(), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Sends one request (the connection closes after it) with a 4KiB receive buffer and reads the
   * answer 1KiB at a time until the gateway closes: a reader slower than the loopback upstream.
   */
  private Received slowClient() throws IOException {
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(4096);
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), gw.port()), 5000);
      s.setSoTimeout(30_000);
      s.getOutputStream()
          .write(
              ("GET /weights.bin HTTP/1.1\r\nHost: gw\r\nX-Tenant: default\r\n"
                      + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream got = new ByteArrayOutputStream(SIZE + 4096);
      byte[] buf = new byte[1024];
      InputStream in = s.getInputStream();
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          got.write(buf, 0, n);
        }
      } catch (IOException e) {
        return new Received(got.toByteArray(), true);
      }
      return new Received(got.toByteArray(), false);
    }
  }

  /** Checks the body's pattern from {@code from} (an offset into the body) on. */
  private static void assertPattern(byte[] b, int off, int len, long from) {
    for (int i = 0; i < len; i++) {
      if (b[off + i] != bodyByte(from + i)) {
        throw new AssertionError("body byte " + (from + i) + " differs");
      }
    }
  }

  /** Undoes chunked framing; returns the body, or null if the terminating chunk is missing. */
  private static byte[] dechunk(byte[] b, int off) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(SIZE);
    int p = off;
    while (true) {
      int eol = indexOfCrlf(b, p);
      if (eol < 0) {
        return null;
      }
      int len = Integer.parseInt(new String(b, p, eol - p, StandardCharsets.US_ASCII).trim(), 16);
      p = eol + 2;
      if (len == 0) {
        return p + 2 <= b.length && b[p] == '\r' && b[p + 1] == '\n' ? body.toByteArray() : null;
      }
      if (p + len + 2 > b.length) {
        return null;
      }
      body.write(b, p, len);
      p += len + 2;
    }
  }

  private static int indexOfCrlf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private LedgerEntry onlyConnection() throws Exception {
    List<LedgerEntry> connections = gw.closeAndRead(EntryType.CONNECTION);
    assertThat(connections).hasSize(1);
    return connections.get(0);
  }

  @Test
  void aResponseOfKnownLengthReachesASlowClientWholeWhenTheUpstreamClosesAfterIt()
      throws Exception {
    CompletableFuture<Void> served = serveOnce(Framing.LENGTH);
    gw = SocketFixture.reverse(dir, upstream.getLocalPort(), "");
    Received r = slowClient();
    served.get(30, TimeUnit.SECONDS);

    assertThat(r.head()).startsWith("http/1.1 200 ok").contains("content-length: " + SIZE);
    assertThat(r.reset()).as("reset").isFalse();
    assertThat(r.bytes().length - r.headEnd()).as("body bytes received").isEqualTo(SIZE);
    assertPattern(r.bytes(), r.headEnd(), SIZE, 0);
    LedgerEntry e = onlyConnection();
    assertThat(e.getString("decision")).isEqualTo("allow");
    assertThat(e.getString("reason")).isEqualTo("ok");
    assertThat(e.getLong("bytes_out")).isEqualTo(r.bytes().length);
    assertThat(e.getLong("charged")).isEqualTo(r.bytes().length);
  }

  @Test
  void aResponseDelimitedByTheUpstreamsCloseReachesASlowClientWholeAndTerminated()
      throws Exception {
    CompletableFuture<Void> served = serveOnce(Framing.CLOSE_DELIMITED);
    gw = SocketFixture.reverse(dir, upstream.getLocalPort(), "");
    Received r = slowClient();
    served.get(30, TimeUnit.SECONDS);

    // An HTTP/1.1 client gets the body of unknown length chunked, ended by the last chunk.
    assertThat(r.head()).startsWith("http/1.1 200 ok").contains("transfer-encoding: chunked");
    assertThat(r.reset()).as("reset").isFalse();
    byte[] body = dechunk(r.bytes(), r.headEnd());
    assertThat(body).as("a body ended by the terminating chunk").isNotNull();
    assertThat(body.length).isEqualTo(SIZE);
    assertPattern(body, 0, SIZE, 0);
    LedgerEntry e = onlyConnection();
    assertThat(e.getString("decision")).isEqualTo("allow");
    assertThat(e.getString("reason")).isEqualTo("ok");
    assertThat(e.getLong("bytes_out")).isEqualTo(r.bytes().length);
  }

  /**
   * The upstream closes halfway through a body of known length: an error, recorded as {@code
   * upstream_closed}. The client sees the head (with the full {@code Content-Length}), every body
   * byte the gateway read and charged, then the connection closed: a body short of its length,
   * which no client can take for a complete one. What it received is exactly what was charged.
   */
  @Test
  void aResponseCutShortByTheUpstreamIsAnErrorAndTheClientGetsWhatWasCharged() throws Exception {
    CompletableFuture<Void> served = serveOnce(Framing.SHORT);
    gw = SocketFixture.reverse(dir, upstream.getLocalPort(), "");
    Received r = slowClient();
    served.get(30, TimeUnit.SECONDS);

    assertThat(r.head()).startsWith("http/1.1 200 ok").contains("content-length: " + SIZE);
    assertThat(r.reset()).as("reset").isFalse();
    assertThat(r.bytes().length - r.headEnd()).as("body bytes received").isEqualTo(SIZE / 2);
    assertPattern(r.bytes(), r.headEnd(), SIZE / 2, 0);
    LedgerEntry e = onlyConnection();
    assertThat(e.getString("decision")).isEqualTo("error");
    assertThat(e.getString("reason")).isEqualTo("upstream_closed");
    assertThat(e.getLong("bytes_out")).isEqualTo(r.bytes().length);
  }

  /**
   * A response of unknown length cut by the meter at the zone's {@code max_transfer}: the bytes
   * paid before the cut reach the slow client, then the close (no terminating chunk), so what the
   * ledger says was sent is what the client got.
   */
  @Test
  void aCutResponseReachesTheClientUpToTheBytesCharged() throws Exception {
    CompletableFuture<Void> served = serveOnce(Framing.CLOSE_DELIMITED);
    gw = SocketFixture.reverse(dir, upstream.getLocalPort(), "max_transfer: 12MiB");
    Received r = slowClient();
    // The upstream's writes fail once the gateway let go of its connection at the cut.
    served.handle((v, err) -> null).get(30, TimeUnit.SECONDS);

    assertThat(r.head()).startsWith("http/1.1 200 ok").contains("transfer-encoding: chunked");
    assertThat(r.reset()).as("reset").isFalse();
    assertThat(dechunk(r.bytes(), r.headEnd())).as("no terminating chunk").isNull();
    assertThat(r.bytes().length).isGreaterThan(8 << 20);
    LedgerEntry e = onlyConnection();
    assertThat(e.getString("decision")).isEqualTo("cut");
    assertThat(e.getString("reason")).isEqualTo("transfer_too_large");
    assertThat(e.getLong("bytes_out")).isEqualTo(r.bytes().length);
  }
}
