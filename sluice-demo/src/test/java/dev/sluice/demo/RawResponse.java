package dev.sluice.demo;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.x response read strictly from a stream, for tests that must see the framing a client
 * sees: the status, headers (names lower-cased), each chunk of a chunked body on its own, and the
 * body. A body without a length or chunking is read to the end of the stream.
 */
record RawResponse(int status, Map<String, String> headers, List<byte[]> chunks, byte[] body) {

  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  static RawResponse read(InputStream in) throws IOException {
    String statusLine = line(in);
    if (!statusLine.matches("HTTP/1\\.[01] \\d{3} .*")) {
      throw new IOException("not a status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (headers.put(name, h.substring(colon + 1).trim()) != null) {
        throw new IOException("duplicate header " + name);
      }
    }
    List<byte[]> chunks = new ArrayList<>();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (; ; ) {
        String size = line(in);
        if (!size.matches("[0-9a-f]+")) {
          throw new IOException("bad chunk size line: " + size);
        }
        int n = Integer.parseInt(size, 16);
        if (n == 0) {
          expectCrlf(in);
          break;
        }
        byte[] chunk = in.readNBytes(n);
        if (chunk.length != n) {
          throw new EOFException("chunk cut short");
        }
        expectCrlf(in);
        chunks.add(chunk);
        body.write(chunk);
      }
    } else if (headers.containsKey("content-length")) {
      int n = Integer.parseInt(headers.get("content-length"));
      byte[] b = in.readNBytes(n);
      if (b.length != n) {
        throw new EOFException("body cut short");
      }
      body.write(b);
    } else {
      body.write(in.readAllBytes());
    }
    return new RawResponse(status, headers, chunks, body.toByteArray());
  }

  private static void expectCrlf(InputStream in) throws IOException {
    if (in.read() != '\r' || in.read() != '\n') {
      throw new IOException("missing CRLF after chunk");
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); ; c = in.read()) {
      if (c < 0) {
        throw new EOFException("stream ended inside a line: " + b);
      }
      if (c == '\r') {
        if (in.read() != '\n') {
          throw new IOException("CR without LF");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
      }
      b.write(c);
    }
  }
}
