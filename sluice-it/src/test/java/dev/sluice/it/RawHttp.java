package dev.sluice.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * An HTTP/1.1 client on a plain socket that counts what arrives on the wire: it writes exact bytes,
 * reads until the server closes the connection (or a read timeout), and only then parses. The count
 * is every byte the gateway wrote toward this client (status line, headers, chunk and SSE framing),
 * which is what the gateway must have paid for. A response cut short (a budget ran out, a halt, a
 * crash) keeps what did arrive.
 */
final class RawHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();

  private RawHttp() {}

  /**
   * What came back on one connection.
   *
   * @param raw every byte received, in order
   * @param eof whether the server closed the connection (false: the read timed out or failed)
   * @param error the read's failure (a reset, a timeout), or null
   * @param lastByteNanos when the last byte arrived ({@link Clock#nanos}), or 0 if none did
   */
  record Response(byte[] raw, boolean eof, IOException error, long lastByteNanos) {

    /** The status code, or -1 when no whole status line arrived. */
    int status() {
      String head = head();
      if (head == null || !head.startsWith("HTTP/1.")) {
        return -1;
      }
      String[] parts = head.split(" ", 3);
      return parts.length < 2 ? -1 : Integer.parseInt(parts[1]);
    }

    /** The header lines' values by lower-case name, or empty when the head is incomplete. */
    Map<String, List<String>> headers() {
      Map<String, List<String>> out = new LinkedHashMap<>();
      String head = head();
      if (head == null) {
        return out;
      }
      String[] lines = head.split("\r\n");
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        out.computeIfAbsent(
                lines[i].substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
      return out;
    }

    /** The single value of header {@code name}, or null. */
    String header(String name) {
      List<String> v = headers().get(name.toLowerCase(Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    private int headEnd() {
      return indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
    }

    /** Status line and headers without the blank line, or null when they did not all arrive. */
    private String head() {
      int end = headEnd();
      return end < 0 ? null : new String(raw, 0, end, StandardCharsets.ISO_8859_1);
    }

    /** The body as far as it arrived, chunked framing removed. */
    byte[] body() {
      return decodeBody().body;
    }

    /** Whether the whole body arrived (its length or the last chunk), not just the head. */
    boolean complete() {
      return headEnd() >= 0 && decodeBody().complete;
    }

    /** The body as UTF-8. */
    String bodyText() {
      return new String(body(), StandardCharsets.UTF_8);
    }

    /** The SSE events of the body that arrived whole (each through its blank line). */
    List<String> events() {
      List<String> out = new ArrayList<>();
      String b = bodyText();
      int i = 0;
      for (int end = b.indexOf("\n\n", i); end >= 0; end = b.indexOf("\n\n", i)) {
        out.add(b.substring(i, end + 2));
        i = end + 2;
      }
      return out;
    }

    private Decoded decodeBody() {
      int headEnd = headEnd();
      if (headEnd < 0) {
        return new Decoded(new byte[0], false);
      }
      int start = headEnd + 4;
      String te = header("transfer-encoding");
      if (te != null && te.equalsIgnoreCase("chunked")) {
        return dechunk(raw, start);
      }
      String cl = header("content-length");
      int available = raw.length - start;
      if (cl != null) {
        long length = Long.parseLong(cl);
        int n = (int) Math.min(length, available);
        return new Decoded(Arrays.copyOfRange(raw, start, start + n), n == length);
      }
      return new Decoded(Arrays.copyOfRange(raw, start, raw.length), eof);
    }

    @Override
    public String toString() {
      String text = new String(raw, StandardCharsets.UTF_8);
      return (text.length() > 2000 ? text.substring(0, 2000) + "..." : text)
          + (eof ? " <EOF>" : " <no EOF: " + error + ">");
    }
  }

  private record Decoded(byte[] body, boolean complete) {}

  private static Decoded dechunk(byte[] raw, int from) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int i = from;
    for (; ; ) {
      int lineEnd = indexOf(raw, new byte[] {'\r', '\n'}, i);
      if (lineEnd < 0) {
        return new Decoded(body.toByteArray(), false);
      }
      String sizeText = new String(raw, i, lineEnd - i, StandardCharsets.US_ASCII);
      int semi = sizeText.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeText : sizeText.substring(0, semi)).trim(), 16);
      int data = lineEnd + 2;
      if (size == 0) {
        return new Decoded(body.toByteArray(), indexOf(raw, new byte[] {'\r', '\n'}, data) >= 0);
      }
      int n = Math.min(size, raw.length - data);
      body.write(raw, data, Math.max(0, n));
      if (n < size || data + size + 2 > raw.length) {
        return new Decoded(body.toByteArray(), false);
      }
      i = data + size + 2;
    }
  }

  static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** {@link #exchange(InetSocketAddress, byte[], Duration, LongConsumer)} without a callback. */
  static Response exchange(InetSocketAddress to, byte[] request, Duration readTimeout) {
    return exchange(to, request, readTimeout, n -> {});
  }

  /**
   * Connects, writes {@code request}, and reads until the server closes the connection, a read
   * waits longer than {@code readTimeout}, or the connection fails.
   *
   * @param onBytes told the size of every read as it arrives (for live totals)
   */
  static Response exchange(
      InetSocketAddress to, byte[] request, Duration readTimeout, LongConsumer onBytes) {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long last = 0;
    try (Socket s = new Socket()) {
      s.connect(to, 5_000);
      s.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
      OutputStream out = s.getOutputStream();
      out.write(request);
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[16 * 1024];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          got.write(buf, 0, n);
          last = CLOCK.nanos();
          onBytes.accept(n);
        }
      } catch (SocketTimeoutException e) {
        return new Response(got.toByteArray(), false, e, last);
      } catch (IOException e) {
        // A reset after the server closed is still the end of what it sent.
        return new Response(got.toByteArray(), isReset(e), e, last);
      }
      return new Response(got.toByteArray(), true, null, last);
    } catch (IOException e) {
      return new Response(got.toByteArray(), false, e, last);
    }
  }

  private static boolean isReset(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("reset") || m.contains("Broken pipe");
  }

  /**
   * A {@code POST /v1/chat/completions} for answer {@code index} of the replay upstream, as tenant
   * {@code tenant}, with {@code Connection: close} so the response ends with the connection.
   */
  static byte[] chat(String tenant, int index, boolean stream) {
    ObjectNode body = JSON.createObjectNode().put("model", "gpt-4o").put("stream", stream);
    body.putArray("messages").addObject().put("role", "user").put("content", "answer " + index);
    body.put(ReplayUpstream.ANSWER_INDEX, index);
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String head =
        "POST /v1/chat/completions HTTP/1.1\r\n"
            + "Host: gateway\r\n"
            + "X-Tenant: "
            + tenant
            + "\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: "
            + json.length
            + "\r\n"
            + "Connection: close\r\n\r\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(json);
    return out.toByteArray();
  }

  /** The text of a non-streamed completion, or of the content deltas of a whole stream. */
  static String answerText(Response r) throws IOException {
    String ct = r.header("content-type");
    if (ct != null && ct.startsWith("text/event-stream")) {
      StringBuilder text = new StringBuilder();
      for (String e : r.events()) {
        String data = e.substring("data: ".length(), e.length() - 2);
        if (!data.equals("[DONE]")) {
          text.append(
              JSON.readTree(data).path("choices").path(0).path("delta").path("content").asText(""));
        }
      }
      return text.toString();
    }
    return JSON.readTree(r.body()).path("choices").path(0).path("message").path("content").asText();
  }
}
