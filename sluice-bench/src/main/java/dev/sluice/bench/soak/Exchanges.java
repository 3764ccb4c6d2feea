package dev.sluice.bench.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One client exchange of each traffic kind, over a blocking socket, each returning its outcome.
 * Where the tenant's egress arrives at this client (reverse), the bytes read are counted in the
 * tally as they arrive: to the tenant when the response is the origin's ({@code X-Soak: origin}),
 * or when the connection ends before a whole head (counted against the tenant, the strict side); to
 * {@value #GATEWAY} when it is the gateway's own answer (429, 503...), which the gateway charges to
 * its control allowance. Where the egress goes to the origin or sink (forward, tcp), they count it.
 */
final class Exchanges {
  /** Tally key of the gateway's own answers. */
  static final String GATEWAY = "(gateway answers)";

  private static final int CONNECT_TIMEOUT_MS = 2_000;
  private static final int READ_TIMEOUT_MS = 20_000;
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** How an exchange ended. */
  enum Outcome {
    /** Whole: the response or upload completed. */
    OK,
    /** The gateway answered itself (a refusal) instead of relaying. */
    REFUSED,
    /** Relayed, then cut before the end (a cap reached, a node killed). */
    CUT,
    /** No connection, or an I/O error before anything was relayed. */
    FAILED
  }

  private final Tally delivered;
  private final int originPort;
  private final int sinkPort;

  Exchanges(Tally delivered, int originPort, int sinkPort) {
    this.delivered = delivered;
    this.originPort = originPort;
    this.sinkPort = sinkPort;
  }

  /** {@code GET /len/N} or {@code /sse/N} through a reverse listener, as {@code tenant}. */
  Outcome reverse(InetSocketAddress node, String tenant, boolean sse, long n) {
    String path = (sse ? "/sse/" : "/len/") + n;
    try (Socket s = connect(node, 0)) {
      write(
          s,
          "GET "
              + path
              + " HTTP/1.1\r\nHost: soak\r\nX-Tenant: "
              + tenant
              + "\r\nConnection: close\r\n\r\n");
      return readResponse(s.getInputStream(), tenant, sse ? -1 : n, 0, 0);
    } catch (IOException e) {
      return Outcome.FAILED;
    }
  }

  /**
   * Reads a reverse response, counting it as it arrives; with {@code delayMs > 0}, {@code chunk}
   * bytes at a time with a pause after each (a slow reader).
   *
   * @param length the expected body length, or -1 when unknown (read to end of stream)
   */
  Outcome readResponse(InputStream in, String tenant, long length, int chunk, long delayMs)
      throws IOException {
    byte[] head = Wire.readHead(in);
    if (!Wire.complete(head)) {
      delivered.add(tenant, head.length);
      return head.length == 0 ? Outcome.FAILED : Outcome.CUT;
    }
    String text = Wire.text(head);
    boolean origin = "origin".equals(Wire.header(text, "X-Soak"));
    String key = origin ? tenant : GATEWAY;
    delivered.add(key, head.length);
    long body = 0;
    byte[] buf = new byte[chunk > 0 ? chunk : 16 * 1024];
    byte[] tail = new byte[LAST_CHUNK.length];
    int r;
    try {
      while ((r = in.read(buf)) > 0) {
        delivered.add(key, r);
        body += r;
        keepTail(tail, buf, r);
        if (delayMs > 0) {
          Thread.sleep(delayMs);
        }
      }
    } catch (IOException e) {
      return origin ? Outcome.CUT : Outcome.REFUSED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.CUT;
    }
    if (!origin) {
      return Outcome.REFUSED;
    }
    boolean whole = length < 0 ? java.util.Arrays.equals(tail, LAST_CHUNK) : body == length;
    return whole ? Outcome.OK : Outcome.CUT;
  }

  /** Shifts the last {@code n} bytes of {@code buf} into {@code tail} (the stream's last bytes). */
  private static void keepTail(byte[] tail, byte[] buf, int n) {
    int t = tail.length;
    if (n >= t) {
      System.arraycopy(buf, n - t, tail, 0, t);
    } else {
      System.arraycopy(tail, n, tail, 0, t - n);
      System.arraycopy(buf, 0, tail, t - n, n);
    }
  }

  /** {@code POST http://localhost:ORIGIN/up/TENANT} with {@code n} body bytes, as proxy user. */
  Outcome forwardPost(InetSocketAddress node, String tenant, long n) {
    try (Socket s = connect(node, 0)) {
      write(
          s,
          "POST http://localhost:"
              + originPort
              + "/up/"
              + tenant
              + " HTTP/1.1\r\nHost: localhost:"
              + originPort
              + "\r\n"
              + proxyAuthorization(tenant)
              + "Content-Length: "
              + n
              + "\r\nConnection: close\r\n\r\n");
      OutputStream out = s.getOutputStream();
      try {
        Wire.writeFiller(out, n);
      } catch (IOException e) {
        return Outcome.CUT;
      }
      return statusOf(s.getInputStream(), "204") ? Outcome.OK : Outcome.REFUSED;
    } catch (IOException e) {
      return Outcome.FAILED;
    }
  }

  /** {@code CONNECT localhost:SINK} as proxy user, then {@code n} bytes into the tunnel. */
  Outcome connectTunnel(InetSocketAddress node, String tenant, long n) {
    try (Socket s = connect(node, 0)) {
      write(
          s,
          "CONNECT localhost:"
              + sinkPort
              + " HTTP/1.1\r\nHost: localhost:"
              + sinkPort
              + "\r\n"
              + proxyAuthorization(tenant)
              + "\r\n");
      byte[] head = Wire.readHead(s.getInputStream());
      if (!Wire.text(head).startsWith("HTTP/1.1 200")) {
        return head.length == 0 ? Outcome.FAILED : Outcome.REFUSED;
      }
      return stream(s, tenant, n);
    } catch (IOException e) {
      return Outcome.FAILED;
    }
  }

  /** {@code n} bytes into a tcp listener ({@code egress: upstream}) toward the sink. */
  Outcome tcp(InetSocketAddress node, String tenant, long n) {
    try (Socket s = connect(node, 0)) {
      return stream(s, tenant, n);
    } catch (IOException e) {
      return Outcome.FAILED;
    }
  }

  static Socket connect(InetSocketAddress node, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    try {
      if (receiveBuffer > 0) {
        s.setReceiveBufferSize(receiveBuffer);
      }
      s.connect(node, CONNECT_TIMEOUT_MS);
      s.setSoTimeout(READ_TIMEOUT_MS);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  static void write(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** The tenant line and {@code n} bytes, then end of stream; waits for the far side's close. */
  private static Outcome stream(Socket s, String tenant, long n) throws IOException {
    try {
      write(s, tenant + "\n");
      Wire.writeFiller(s.getOutputStream(), n);
      s.shutdownOutput();
      Wire.drain(s.getInputStream(), k -> {});
      return Outcome.OK;
    } catch (IOException e) {
      return Outcome.CUT;
    }
  }

  private static boolean statusOf(InputStream in, String status) throws IOException {
    return Wire.text(Wire.readHead(in)).startsWith("HTTP/1.1 " + status);
  }

  /** Proxy user {@code tenant}, password {@code soak-TENANT} (bench/soak.sh configures them). */
  static String proxyAuthorization(String tenant) {
    String token = tenant + ":soak-" + tenant;
    return "Proxy-Authorization: Basic "
        + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.US_ASCII))
        + "\r\n";
  }
}
