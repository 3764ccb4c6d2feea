package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.net.HostPort;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Talks HTTP to a running node's admin API for the CLI, over HTTPS when given an {@link AdminTrust}
 * (then trusting only its certificates). Every failure becomes a {@link CommandFailure} with one
 * clear line: nobody listening is exit 3 with "is `sluice run` running?"; a certificate the trust
 * file does not vouch for (or that names another host) is exit 3 naming the file and the reason; an
 * API error is its {@code error.message}, exit 2 for a bad request (400) and 1 otherwise.
 */
final class AdminClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Longer than the server's wait for a durable ledger entry. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  static final ObjectMapper JSON = new ObjectMapper();

  /** A successful answer. */
  record Reply(int status, String body) {
    JsonNode json() throws CommandFailure {
      return parse(body);
    }
  }

  private final HostPort address;
  private final AdminTrust trust;
  private final HttpClient http;

  /**
   * A client of the admin API at {@code address}: HTTPS trusting {@code trust}, or HTTP if null.
   */
  AdminClient(HostPort address, AdminTrust trust) {
    this.address = address;
    this.trust = trust;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT);
    if (trust != null) {
      b.sslContext(trust.context());
    }
    this.http = b.build();
  }

  Reply get(String path) throws CommandFailure {
    return send(request(path).GET());
  }

  /** POSTs {@code body} as JSON with {@code Authorization: Bearer token}. */
  Reply post(String path, ObjectNode body, String token) throws CommandFailure {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  private HttpRequest.Builder request(String path) {
    String scheme = trust == null ? "http://" : "https://";
    return HttpRequest.newBuilder(URI.create(scheme + address + path)).timeout(REQUEST_TIMEOUT);
  }

  private Reply send(HttpRequest.Builder request) throws CommandFailure {
    HttpResponse<String> r;
    try {
      r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO, "the admin API at " + address + " did not answer in time");
    } catch (IOException e) {
      if (refused(e)) {
        throw new CommandFailure(
            SluiceCli.EXIT_IO, "no sluice admin API at " + address + ": is `sluice run` running?");
      }
      throw new CommandFailure(SluiceCli.EXIT_IO, failed(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure(SluiceCli.EXIT_IO, "interrupted");
    }
    if (r.statusCode() / 100 != 2) {
      throw new CommandFailure(
          r.statusCode() == 400 ? SluiceCli.EXIT_USAGE : SluiceCli.EXIT_CHECK_FAILED,
          errorMessage(r));
    }
    return new Reply(r.statusCode(), r.body());
  }

  /** The line for a failed exchange, naming TLS trouble as such. */
  private String failed(IOException e) {
    String at = "the admin API at " + address;
    if (trust == null) {
      return "talking to "
          + at
          + " over plain HTTP failed: "
          + e
          + " (if the node has admin.tls, pass --config with its configuration or --admin-ca)";
    }
    SSLHandshakeException handshake = cause(e, SSLHandshakeException.class);
    if (handshake != null) {
      return at
          + " presented a certificate that "
          + trust.origin()
          + " "
          + trust.file()
          + " does not vouch for: "
          + handshake.getMessage()
          + " (trust the CA that signed admin.tls.cert with --admin-ca, and connect to a name or"
          + " address the certificate holds)";
    }
    SSLException tls = cause(e, SSLException.class);
    if (tls != null) {
      return "TLS with " + at + " failed: " + tls.getMessage() + " (does the node set admin.tls?)";
    }
    return "talking to " + at + " over HTTPS failed: " + e;
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** True when nobody listens: the client reports it as a ConnectException, maybe wrapped. */
  private static boolean refused(IOException e) {
    return cause(e, ConnectException.class) != null;
  }

  private static String errorMessage(HttpResponse<String> r) {
    try {
      JsonNode m = JSON.readTree(r.body()).path("error").path("message");
      if (m.isTextual()) {
        return m.textValue();
      }
    } catch (JsonProcessingException e) {
      // Not one of our error bodies; fall through to the status.
    }
    return "the admin API answered HTTP " + r.statusCode();
  }

  private static JsonNode parse(String body) throws CommandFailure {
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO, "the admin API answered something that is not JSON");
    }
  }
}
