package dev.sluice.gateway.forward;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why a forward listener did not carry a request, other than a budget or a halt (those are {@link
 * dev.sluice.gateway.meter.Refusal}s). {@link #type()} is the stable label of the JSON error body,
 * the ledger's {@code deny} entry, the connection's log line and the denial counter; each bypass a
 * client may try has its own, so the ledger says which one was tried.
 */
enum ForwardReason {
  BAD_REQUEST(400, "bad_request", "the request cannot be forwarded"),
  PROXY_AUTH_REQUIRED(407, "proxy_auth_required", "this proxy needs Proxy-Authorization: Basic"),
  PROXY_AUTH_INVALID(407, "proxy_auth_invalid", "unknown proxy user or wrong password"),
  UNKNOWN_TENANT(403, "unknown_tenant", "no tenant for this client and no default tenant"),
  DESTINATION_NOT_ALLOWED(403, "destination_not_allowed", "the destination is not allowed"),
  DESTINATION_IP_LITERAL(403, "destination_ip_literal", "use a host name, not an IP address"),
  DESTINATION_BRACKETED(403, "destination_bracketed", "bracketed (IPv6) hosts are not allowed"),
  DESTINATION_IPV4_MAPPED(
      403, "destination_ipv4_mapped", "IPv4-mapped IPv6 addresses are not allowed"),
  DESTINATION_NOT_LOWER_CASE(403, "destination_not_lower_case", "write host names in lower case"),
  DESTINATION_TRAILING_DOT(403, "destination_trailing_dot", "remove the trailing dot"),
  DESTINATION_EMPTY_LABEL(403, "destination_empty_label", "the host name has an empty label"),
  DESTINATION_INVALID(403, "destination_invalid", "the host is not a valid DNS name"),
  DESTINATION_DENIED_ADDRESS(
      403, "destination_denied_address", "the destination resolves into a denied network"),
  DESTINATION_UNRESOLVABLE(502, "destination_unresolvable", "the destination does not resolve"),
  DESTINATION_UNREACHABLE(
      502, "destination_unreachable", "no address of the destination accepted a connection"),
  DESTINATION_FAILED(
      502, "destination_failed", "the destination closed the connection before responding");

  private final HttpResponseStatus status;
  private final String type;
  private final String message;

  ForwardReason(int status, String type, String message) {
    this.status = HttpResponseStatus.valueOf(status);
    this.type = type;
    this.message = message;
  }

  HttpResponseStatus status() {
    return status;
  }

  String type() {
    return type;
  }

  /** What the client is told, before the detail of the case. */
  String message() {
    return message;
  }

  /**
   * True for decisions (a {@code deny} in the ledger), false for failures of the destination (the
   * connection ends as an {@code error}).
   */
  boolean policy() {
    return status.code() < 500;
  }
}
