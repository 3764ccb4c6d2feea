package dev.sluice.gateway.forward;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket to the proxy for requests that no HTTP client would send (smuggling attempts, odd
 * hosts): writes bytes as given and reads what comes back. Every read is bounded by a socket
 * timeout.
 */
final class RawClient implements AutoCloseable {

  private final Socket socket = new Socket();
  private final InputStream in;
  private final OutputStream out;

  RawClient(int port) throws IOException {
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Sends {@code request} and reads until the proxy closes the connection. */
  static String exchange(int port, String request) throws IOException {
    try (RawClient c = new RawClient(port)) {
      c.send(request);
      return c.readToClose();
    }
  }

  InputStream in() {
    return in;
  }

  void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  void send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Everything until the peer closes. */
  String readToClose() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    try {
      while ((n = in.read(buf)) >= 0) {
        b.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new IOException(
          "no close within the timeout; got: " + b.toString(StandardCharsets.ISO_8859_1), e);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads up to and including the blank line that ends a response head. */
  String readHead() throws IOException {
    StringBuilder s = new StringBuilder();
    while (!s.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      s.append((char) c);
    }
    return s.toString();
  }

  /**
   * Starts TLS over this connection (after a CONNECT was answered), checking the certificate and
   * host name against {@code tls}; closing the returned socket closes this one.
   */
  javax.net.ssl.SSLSocket startTls(javax.net.ssl.SSLContext tls, String host, int port)
      throws IOException {
    javax.net.ssl.SSLSocket s =
        (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(socket, host, port, true);
    javax.net.ssl.SSLParameters p = s.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  /** Reads one response with a Content-Length from {@code in}: head and body. */
  static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed in the head: " + head);
      }
      head.append((char) c);
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)").matcher(head);
    int n = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return head + new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
  }

  /** Reads exactly {@code n} bytes. */
  byte[] readExactly(int n) throws IOException {
    return in.readNBytes(n);
  }

  /** True when the peer closed (read returns end of stream) within the socket timeout. */
  boolean closedByPeer() throws IOException {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true; // reset
    }
  }

  /** Reads and drops whatever comes until the peer closes; true if it closed in time. */
  boolean closedByPeerAfterDraining() {
    byte[] buf = new byte[8192];
    try {
      while (in.read(buf) >= 0) {
        // drop
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
