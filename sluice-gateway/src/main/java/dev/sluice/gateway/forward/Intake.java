package dev.sluice.gateway.forward;

import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.reverse.RequestFraming;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;

/**
 * The checks a forward request passes before anything leaves for it, in order: each header that
 * decides identity or routing (Host, Proxy-Authorization) at most once, unambiguous framing, a
 * target a proxy takes ({@code CONNECT host:port} or {@code http://...}) that a Host header, if
 * any, agrees with, an identified tenant, a host that is a canonical name, and a destination the
 * zone allows. Pure: no I/O, no state, so each refusal reason is tested without sockets. Immutable.
 */
final class Intake {

  /**
   * The outcome. On success {@code refusal} is null; {@code target} and {@code tenant} are set as
   * far as the checks got, so a refusal is recorded with them.
   *
   * @param pattern the destination pattern charged, or null for an allowed unknown destination
   */
  record Decision(
      RequestTarget target, String tenant, String pattern, Reason refusal, String detail) {}

  private final ProxyIdentity identity;
  private final DestinationPolicy destinations;

  Intake(ProxyIdentity identity, DestinationPolicy destinations) {
    this.identity = identity;
    this.destinations = destinations;
  }

  Decision decide(HttpRequest req, InetAddress source) {
    boolean connect = req.method().equals(HttpMethod.CONNECT);
    if (!req.decoderResult().isFailure()) {
      String repeated =
          RequestFraming.repeated(
              req.headers(), HttpHeaderNames.HOST, HttpHeaderNames.PROXY_AUTHORIZATION);
      if (repeated != null) {
        return new Decision(null, null, null, Reason.DUPLICATE_IDENTITY_HEADER, repeated);
      }
    }
    String framing = RequestFraming.problem(req);
    if (framing == null && connect && carriesBody(req)) {
      framing = "a CONNECT request cannot carry a body";
    }
    if (framing != null) {
      return new Decision(null, null, null, Reason.BAD_REQUEST, framing);
    }
    RequestTarget.Parsed p = RequestTarget.parse(connect, req.uri());
    if (p.problem() != null) {
      return new Decision(null, null, null, Reason.BAD_REQUEST, p.problem());
    }
    RequestTarget t = p.target();
    String host = req.headers().get(HttpHeaderNames.HOST);
    if (host != null && !agrees(host, t)) {
      return new Decision(
          t, null, null, Reason.HOST_MISMATCH, "Host " + host + " is not the target's host");
    }
    ProxyIdentity.Identity id =
        identity.identify(source, req.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION));
    if (id.refusal() != null) {
      return new Decision(t, null, null, id.refusal(), id.detail());
    }
    Reason hostProblem = HostCheck.problem(t.host());
    if (hostProblem != null) {
      return new Decision(t, id.tenant(), null, hostProblem, "host " + t.host());
    }
    DestinationPolicy.Match m = destinations.match(t.host());
    if (!m.allowed()) {
      return new Decision(
          t,
          id.tenant(),
          null,
          Reason.DESTINATION_NOT_ALLOWED,
          t.host() + " matches no destination of the zone");
    }
    return new Decision(t, id.tenant(), m.pattern(), null, null);
  }

  /**
   * Whether the Host header {@code host} names the target: the same host (case aside) and, when it
   * has a port, the same port. (The destination gets the target's Host in any case; a Host that
   * names another destination is a client trying to be charged for one and served by another.)
   */
  static boolean agrees(String host, RequestTarget t) {
    String h = host.trim();
    int colon = h.lastIndexOf(':');
    if (colon > h.lastIndexOf(']')) {
      String port = h.substring(colon + 1);
      h = h.substring(0, colon);
      if (!port.equals(String.valueOf(t.port()))) {
        return false;
      }
    }
    return h.equalsIgnoreCase(t.host());
  }

  private static boolean carriesBody(HttpRequest req) {
    String cl = req.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    return req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
        || (cl != null && !cl.equals("0"));
  }
}
