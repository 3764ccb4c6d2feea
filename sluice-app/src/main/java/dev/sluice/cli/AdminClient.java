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

/**
 * Talks HTTP to a running node's admin API for the CLI. Every failure becomes a {@link
 * CommandFailure} with one clear line: nobody listening is exit 3 with "is `sluice run` running?";
 * an API error is its {@code error.message}, exit 2 for a bad request (400) and 1 otherwise.
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
  private final HttpClient http;

  AdminClient(HostPort address) {
    this.address = address;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
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
    return HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(REQUEST_TIMEOUT);
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
      throw new CommandFailure(
          SluiceCli.EXIT_IO, "talking to the admin API at " + address + " failed: " + e);
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

  /** True when nobody listens: the client reports it as a ConnectException, maybe wrapped. */
  private static boolean refused(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return true;
      }
    }
    return false;
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
