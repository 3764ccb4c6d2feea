package dev.sluice.gateway.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/** A raw HTTP/1.1 client for the edge tests: one request, read until the server closes. */
final class Http1 {

  /** What came back: all bytes, whether the connection was reset, and the parsed response. */
  record Response(byte[] raw, boolean reset) {
    String text() {
      return new String(raw, StandardCharsets.UTF_8);
    }

    int status() {
      String t = text();
      return t.startsWith("HTTP/1.1 ") ? Integer.parseInt(t.substring(9, 12)) : -1;
    }

    /** The body with chunked framing removed, or null if it is cut short. */
    String body() {
      String t = text();
      int h = t.indexOf("\r\n\r\n");
      if (h < 0) {
        return null;
      }
      String head = t.substring(0, h).toLowerCase(java.util.Locale.ROOT);
      String rest = t.substring(h + 4);
      if (!head.contains("transfer-encoding: chunked")) {
        return rest;
      }
      StringBuilder out = new StringBuilder();
      byte[] b = rest.getBytes(StandardCharsets.UTF_8);
      int i = 0;
      while (true) {
        int eol = indexOf(b, i);
        if (eol < 0) {
          return null;
        }
        int n = Integer.parseInt(new String(b, i, eol - i, StandardCharsets.US_ASCII).trim(), 16);
        i = eol + 2;
        if (n == 0) {
          return out.toString();
        }
        if (i + n + 2 > b.length) {
          return null;
        }
        out.append(new String(b, i, n, StandardCharsets.UTF_8));
        i += n + 2;
      }
    }

    private static int indexOf(byte[] b, int from) {
      for (int i = from; i + 1 < b.length; i++) {
        if (b[i] == '\r' && b[i + 1] == '\n') {
          return i;
        }
      }
      return -1;
    }
  }

  private Http1() {}

  static String post(String path, String tenant) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: test\r\nX-Tenant: "
        + tenant
        + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
  }

  static Response exchange(InetSocketAddress at, String request) throws IOException {
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          got.write(buf, 0, n);
        }
      } catch (SocketException e) {
        return new Response(got.toByteArray(), true);
      }
      return new Response(got.toByteArray(), false);
    }
  }
}
