package dev.sluice.gateway.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.forward.ForwardChannels;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sluice.connection} line stays one line of {@code key=value} fields whatever a client
 * puts into a field: a forward-proxy host with ESC and NUL, a space or an {@code =} is escaped, and
 * parsing the line gives back exactly the fields that were written. The line is captured from
 * slf4j-simple, which writes to {@code System.err}.
 */
class ConnectionLogLineTest {

  @TempDir Path dir;

  private static final List<String> KEYS =
      List.of(
          "listener",
          "zone",
          "tenant",
          "destination",
          "client",
          "bytes_in",
          "bytes_out",
          "charged",
          "control",
          "would_deny",
          "requests",
          "decision",
          "reason",
          "duration_ms");

  /** What {@code run} logged to {@code sluice.connection}. */
  private static List<String> connectionLines(Runnable run) {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      run.run();
    } finally {
      System.setErr(err);
    }
    List<String> lines = new ArrayList<>();
    for (String l : captured.toString(StandardCharsets.UTF_8).split("\n", -1)) {
      int at = l.indexOf("sluice.connection - ");
      if (at >= 0) {
        lines.add(l.substring(at + "sluice.connection - ".length()));
      }
    }
    return lines;
  }

  /**
   * Parses a line as documented in {@link Evidence}: fields separated by one space, {@code
   * key=value}, the value bare or in double quotes with backslash escapes.
   */
  static Map<String, String> parse(String line) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    while (i < line.length()) {
      int eq = line.indexOf('=', i);
      String key = line.substring(i, eq);
      StringBuilder v = new StringBuilder();
      i = eq + 1;
      if (i < line.length() && line.charAt(i) == '"') {
        i++;
        while (line.charAt(i) != '"') {
          char c = line.charAt(i++);
          if (c == '\\') {
            char e = line.charAt(i++);
            switch (e) {
              case 'n' -> v.append('\n');
              case 'r' -> v.append('\r');
              case 't' -> v.append('\t');
              case 'u' -> {
                v.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
                i += 4;
              }
              default -> v.append(e);
            }
          } else {
            v.append(c);
          }
        }
        i++;
      } else {
        int end = line.indexOf(' ', i);
        end = end < 0 ? line.length() : end;
        v.append(line, i, end);
        i = end;
      }
      assertThat(out.put(key, v.toString())).as("key %s twice in %s", key, line).isNull();
      if (i < line.length()) {
        assertThat(line.charAt(i)).as("separator in %s", line).isEqualTo(' ');
        i++;
      }
    }
    return out;
  }

  private static void assertPrintableOneLine(String line) {
    assertThat(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f))
        .as("only printable ASCII in %s", line)
        .isTrue();
  }

  /** HTTP/1.0 without a Host: the decoder refuses control characters in a header value. */
  @Test
  void aForwardHostWithEscAndNulIsEscapedInTheLine() throws Exception {
    String host = "evil\u001b[2J\u0000.corp.example";
    try (ListenerFixture f = new ListenerFixture(dir, "forward", "enforce")) {
      List<String> lines =
          connectionLines(
              () -> {
                EmbeddedChannel ch = ForwardChannels.client(f, new ArrayList<>());
                ch.writeInbound(
                    Unpooled.copiedBuffer(
                        "GET http://" + host + "/x HTTP/1.0\r\n\r\n", StandardCharsets.ISO_8859_1));
                ch.runPendingTasks();
                ch.finishAndReleaseAll();
              });
      assertThat(lines).hasSize(1);
      String line = lines.get(0);
      assertPrintableOneLine(line);
      Map<String, String> fields = parse(line);
      assertThat(fields.keySet()).containsExactlyElementsOf(KEYS);
      assertThat(fields.get("destination")).isEqualTo(host + ":80");
      assertThat(line).contains("destination=\"evil\\u001b[2J\\u0000.corp.example:80\"");
    }
  }

  @Test
  void spacesEqualsQuotesAndNonAsciiInAFieldKeepTheFieldsApart() throws Exception {
    String tenant = "a b=c \"d\" \\e \u00e9\u202e\n";
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      ConnectionRecord rec = f.record();
      rec.tenant(tenant);
      rec.destination("x reason=ok");
      List<String> lines = connectionLines(() -> f.lc.evidence().closed(rec));
      assertThat(lines).hasSize(1);
      String line = lines.get(0);
      assertPrintableOneLine(line);
      Map<String, String> fields = parse(line);
      assertThat(fields.keySet()).containsExactlyElementsOf(KEYS);
      assertThat(fields.get("tenant")).isEqualTo(tenant);
      assertThat(fields.get("destination")).isEqualTo("x reason=ok");
      assertThat(fields.get("reason")).isEqualTo("ok");
      assertThat(fields.get("listener")).isEqualTo("reverse");
      assertThat(line).startsWith("listener=reverse zone=inference tenant=\"a b=c \\\"d\\\"");
    }
  }
}
