package dev.sluice.bench.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A raw HTTP/1.1 client for one connection: writes requests, reads heads and single chunks. */
final class ChunkedClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  ChunkedClient(InetSocketAddress address) throws IOException {
    socket = new Socket(address.getAddress(), address.getPort());
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
  }

  void post(String path, String body, String... headers) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder r = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: x\r\n");
    for (String h : headers) {
      r.append(h).append("\r\n");
    }
    r.append("Content-Type: application/json\r\nContent-Length: ").append(b.length);
    socket.getOutputStream().write((r + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().write(b);
  }

  void get(String path) throws IOException {
    socket
        .getOutputStream()
        .write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The status line and headers (names lower-cased), in order. */
  record Head(String status, Map<String, String> headers, String raw) {}

  Head head() throws IOException {
    StringBuilder raw = new StringBuilder();
    String status = line();
    raw.append(status).append("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(); !l.isEmpty(); l = line()) {
      raw.append(l).append("\r\n");
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
    }
    return new Head(status, headers, raw.toString());
  }

  /** The next chunk's data; empty for the last chunk. */
  byte[] chunk() throws IOException {
    int size = Integer.parseInt(line(), 16);
    byte[] data = in.readNBytes(size);
    if (!line().isEmpty()) {
      throw new IOException("chunk not followed by CRLF");
    }
    return data;
  }

  byte[] body(int length) throws IOException {
    return in.readNBytes(length);
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int prev = -1;
    for (int c = in.read(); c >= 0; c = in.read()) {
      if (prev == '\r' && c == '\n') {
        byte[] l = b.toByteArray();
        return new String(l, 0, l.length - 1, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
      prev = c;
    }
    throw new IOException("connection closed mid-line");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
