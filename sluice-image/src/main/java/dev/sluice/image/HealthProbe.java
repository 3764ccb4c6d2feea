package dev.sluice.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;

/**
 * The container image's health check, for a compose {@code healthcheck:} or a Kubernetes {@code
 * exec} probe: the image has no shell and no curl, and a whole {@code sluice} command would start
 * the application's classes for every check. It loads nothing but {@code java.base}:
 *
 * <pre>
 * java -cp /app/classes dev.sluice.image.HealthProbe http://127.0.0.1:9901/readyz
 * java -cp /app/classes dev.sluice.image.HealthProbe tcp://127.0.0.1:8443
 * </pre>
 *
 * <p>{@code http://HOST:PORT/PATH}: healthy when {@code GET PATH} (HTTP/1.0, no keep-alive) answers
 * status 200. {@code tcp://HOST:PORT}: healthy when a TCP connection opens (an edge, which has no
 * HTTP endpoint of its own). Exit status 0 when healthy, 1 when not (the reason on stderr, one
 * line), 2 for a target it cannot parse. Connecting and reading each give up after {@link
 * #TIMEOUT_MILLIS}.
 */
public final class HealthProbe {

  /** Connect and read timeout, milliseconds. */
  static final int TIMEOUT_MILLIS = 2_000;

  /** Exit status: healthy. */
  static final int HEALTHY = 0;

  /** Exit status: not healthy (refused, timed out, or an HTTP status other than 200). */
  static final int UNHEALTHY = 1;

  /** Exit status: the target is not {@code http://HOST:PORT/PATH} or {@code tcp://HOST:PORT}. */
  static final int USAGE = 2;

  private HealthProbe() {}

  public static void main(String[] args) {
    System.exit(run(args, System.err));
  }

  /** Probes {@code args[0]}; returns the exit status and writes why it is not 0 to {@code err}. */
  static int run(String[] args, PrintStream err) {
    if (args.length != 1) {
      err.println("usage: HealthProbe http://HOST:PORT/PATH | tcp://HOST:PORT");
      return USAGE;
    }
    URI target;
    try {
      target = new URI(args[0]);
    } catch (URISyntaxException e) {
      err.println("HealthProbe: not a URI: " + args[0]);
      return USAGE;
    }
    String scheme = String.valueOf(target.getScheme());
    if (target.getHost() == null
        || target.getPort() < 1
        || !(scheme.equals("http") || scheme.equals("tcp"))) {
      err.println("HealthProbe: need http://HOST:PORT/PATH or tcp://HOST:PORT, got " + args[0]);
      return USAGE;
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(target.getHost(), target.getPort()), TIMEOUT_MILLIS);
      if (scheme.equals("tcp")) {
        return HEALTHY;
      }
      s.setSoTimeout(TIMEOUT_MILLIS);
      String status = get(s, target);
      if (status.matches("HTTP/1\\.[01] 200( .*)?")) {
        return HEALTHY;
      }
      err.println("HealthProbe: " + args[0] + " answered " + status);
      return UNHEALTHY;
    } catch (IOException e) {
      err.println("HealthProbe: " + args[0] + ": " + e);
      return UNHEALTHY;
    }
  }

  /** Sends {@code GET} and returns the status line (empty when the server closed at once). */
  private static String get(Socket s, URI target) throws IOException {
    String path =
        target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
    String request =
        "GET "
            + path
            + " HTTP/1.0\r\nHost: "
            + target.getHost()
            + ":"
            + target.getPort()
            + "\r\n\r\n";
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != -1 && b != '\n' && line.length() < 256; b = in.read()) {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
