package dev.sluice.bench.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;

/**
 * The HTTP origin behind the gateways' reverse and forward listeners, on 127.0.0.1, one request per
 * connection (it answers {@code Connection: close}):
 *
 * <ul>
 *   <li>{@code GET /len/N}: 200 with {@code Content-Length: N};
 *   <li>{@code GET /sse/N}: 200 {@code text/event-stream}, chunked, about N bytes of events in ~1
 *       KB chunks, paced;
 *   <li>{@code POST /up/TENANT} (through a forward listener): every byte received on the
 *       connection, head and body, counts as {@code TENANT}'s egress in the tally, as it arrives;
 *       answers 204.
 * </ul>
 *
 * Its own responses carry {@code X-Soak: origin}, so a client tells them from the gateway's
 * answers.
 */
final class SoakOrigin extends SoakServer {
  SoakOrigin(int port, Tally delivered, ExecutorService pool) throws IOException {
    super(port, delivered, pool);
  }

  @Override
  void serve(Socket s) throws IOException {
    try {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] head = Wire.readHead(in);
      if (!Wire.complete(head)) {
        return;
      }
      String text = Wire.text(head);
      String[] line = text.substring(0, text.indexOf("\r\n")).split(" ");
      String path = line.length > 1 ? line[1] : "/";
      if (path.startsWith("http://")) {
        int slash = path.indexOf('/', "http://".length());
        path = slash < 0 ? "/" : path.substring(slash);
      }
      String[] parts = path.split("/");
      if (parts.length == 3 && parts[1].equals("up")) {
        receive(parts[2], head.length, in, Wire.header(text, "Content-Length"));
        write(out, "HTTP/1.1 204 No Content\r\nX-Soak: origin\r\nConnection: close\r\n\r\n");
      } else if (parts.length == 3 && parts[1].equals("len")) {
        long n = Long.parseLong(parts[2]);
        write(out, okHead("Content-Length: " + n + "\r\nContent-Type: application/octet-stream"));
        Wire.writeFiller(out, n);
      } else if (parts.length == 3 && parts[1].equals("sse")) {
        events(out, Long.parseLong(parts[2]));
      } else {
        write(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      }
    } catch (RuntimeException e) {
      // a request it cannot read: the client side records the outcome
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Counts the head and body of an upload to {@code tenant} as they arrive. */
  private void receive(String tenant, int headBytes, InputStream in, String length)
      throws IOException {
    delivered.add(tenant, headBytes);
    long left = length == null ? 0 : Long.parseLong(length);
    byte[] buf = new byte[16 * 1024];
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("upload ended early");
      }
      delivered.add(tenant, n);
      left -= n;
    }
  }

  private static void events(OutputStream out, long n) throws IOException, InterruptedException {
    write(out, okHead("Transfer-Encoding: chunked\r\nContent-Type: text/event-stream"));
    StringBuilder data = new StringBuilder("data: ");
    data.append("e".repeat(1000)).append("\n\n");
    byte[] event = data.toString().getBytes(StandardCharsets.US_ASCII);
    String size = Integer.toHexString(event.length) + "\r\n";
    long sent = 0;
    int i = 0;
    while (sent < n) {
      out.write(size.getBytes(StandardCharsets.US_ASCII));
      out.write(event);
      out.write('\r');
      out.write('\n');
      out.flush();
      sent += event.length;
      if (++i % 8 == 0) {
        Thread.sleep(2); // a stream, not one burst: the gateway meters it write by write
      }
    }
    write(out, "0\r\n\r\n");
  }

  private static String okHead(String fields) {
    return "HTTP/1.1 200 OK\r\n" + fields + "\r\nX-Soak: origin\r\nConnection: close\r\n\r\n";
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
