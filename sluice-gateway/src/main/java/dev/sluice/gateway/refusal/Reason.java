package dev.sluice.gateway.refusal;

/**
 * Every reason the data plane gives for bytes that did not leave, a request it did not carry, or a
 * connection that did not end well: the one list. {@link #label()} is the stable string the JSON
 * error body's {@code type}, the ledger entry's {@code reason}, the denial counter's label and the
 * connection's log line all use; labels never change (the ledger and dashboards key on them).
 *
 * <p>{@link #status()} is the HTTP status of the gateway's own answer, or 0 when the only answer is
 * a close (the connection had started, or there is nothing the client could act on). A reason with
 * a 4xx status is a decision of policy (a {@code deny}); 5xx and 0 are decisions or failures that
 * the caller classifies (a budget store that cannot grant is a deny, a destination that fails is an
 * error).
 */
public enum Reason {
  // ---- budget and safety: the admission stage and the meter ----

  /** A cap on the path is spent. */
  BUDGET_EXHAUSTED("egress_budget_exhausted", 429, "the egress budget is spent"),
  /** An operator halted egress of the site or the zone. */
  HALTED("egress_halted", 503, "egress is halted by an operator"),
  /** The budget store cannot prove a grant durable (fail closed). */
  STORE_UNAVAILABLE(
      "budget_store_unavailable", 503, "the egress budget store cannot grant bytes now"),
  /** The ledger cannot be written (fail closed). */
  LEDGER_UNAVAILABLE("ledger_unavailable", 0, "the ledger cannot be written"),
  /** The control allowance that pays for denial responses is spent. */
  CONTROL_EXHAUSTED("control_allowance_exhausted", 0, "the control allowance is spent"),
  /** More bytes queued behind a refill than the meter holds: a bug; fail closed. */
  METER_OVERFLOW("meter_overflow", 0, "more bytes queued than the meter holds"),
  /**
   * Forward mode: the budget cannot pay the upper bound of the DNS queries a lookup of the
   * destination name may send (a lookup is egress: its queries carry the name out).
   */
  LOOKUP_BUDGET_EXHAUSTED(
      "lookup_budget_exhausted", 429, "the egress budget cannot pay for looking up this name"),
  /** Forward mode: the tenant made as many name lookups as the listener allows per minute. */
  LOOKUP_LIMIT("lookup_limit", 429, "too many name lookups; try again in a minute"),
  /**
   * One response, request or tunnel is larger than its zone's {@code max_transfer}: refused before
   * a byte leaves when its size is known (413, the same status for requests and responses: it is
   * the gateway's policy, not an upstream failure), else cut when its count passes the limit.
   */
  TRANSFER_TOO_LARGE(
      "transfer_too_large", 413, "this transfer is larger than the zone's max_transfer"),
  /**
   * The scan stage found model weights (an indexed fingerprint or float tensor data) in egress with
   * {@code detection.action: block}: a 403 if the response had not started, else a cut.
   */
  WEIGHTS_DETECTED("weights_detected", 403, "the egress carries model weights"),
  /** Report mode: a cap would have refused bytes that were let through (a counter label only). */
  WOULD_DENY("would_deny", 0, "a cap would have refused these bytes"),

  // ---- requests and identity ----

  BAD_REQUEST("bad_request", 400, "the request cannot be forwarded"),
  /**
   * A header that decides who pays or where the request goes (the tenant header, Host,
   * Proxy-Authorization) appears more than once: the gateway would charge one and the next hop
   * might read the other.
   */
  DUPLICATE_IDENTITY_HEADER(
      "duplicate_identity_header",
      400,
      "a header that decides identity or routing appears more than once"),
  /** Forward mode: the Host header names another host or port than the request target. */
  HOST_MISMATCH(
      "host_mismatch", 400, "the Host header and the request target name different destinations"),
  REQUEST_TOO_LARGE(
      "request_too_large", 413, "the request body is larger than this gateway accepts"),
  PROXY_AUTH_REQUIRED("proxy_auth_required", 407, "this proxy needs Proxy-Authorization: Basic"),
  PROXY_AUTH_INVALID("proxy_auth_invalid", 407, "unknown proxy user or wrong password"),
  UNKNOWN_TENANT("unknown_tenant", 403, "no tenant for this client and no default tenant"),

  // ---- destinations (forward mode); each bypass a client may try has its own ----

  DESTINATION_NOT_ALLOWED("destination_not_allowed", 403, "the destination is not allowed"),
  DESTINATION_IP_LITERAL("destination_ip_literal", 403, "use a host name, not an IP address"),
  DESTINATION_BRACKETED("destination_bracketed", 403, "bracketed (IPv6) hosts are not allowed"),
  DESTINATION_IPV4_MAPPED(
      "destination_ipv4_mapped", 403, "IPv4-mapped IPv6 addresses are not allowed"),
  DESTINATION_NOT_LOWER_CASE("destination_not_lower_case", 403, "write host names in lower case"),
  DESTINATION_TRAILING_DOT("destination_trailing_dot", 403, "remove the trailing dot"),
  DESTINATION_EMPTY_LABEL("destination_empty_label", 403, "the host name has an empty label"),
  DESTINATION_INVALID("destination_invalid", 403, "the host is not a valid DNS name"),
  DESTINATION_DENIED_ADDRESS(
      "destination_denied_address", 403, "the destination resolves into a denied network"),
  DESTINATION_UNRESOLVABLE("destination_unresolvable", 502, "the destination does not resolve"),
  DESTINATION_UNREACHABLE(
      "destination_unreachable", 502, "no address of the destination accepted a connection"),
  DESTINATION_FAILED(
      "destination_failed", 502, "the destination closed the connection before responding"),
  DESTINATION_WRITE_FAILED(
      "destination_write_failed", 0, "bytes could not be written to the destination"),

  // ---- upstreams (reverse and tcp mode) ----

  UPSTREAM_UNAVAILABLE("upstream_unavailable", 502, "no upstream accepted a connection"),
  UPSTREAM_FAILED("upstream_failed", 502, "the upstream closed the connection before responding"),
  UPSTREAM_CLOSED("upstream_closed", 0, "the upstream closed the connection"),
  UPSTREAM_ERROR("upstream_error", 0, "the upstream connection failed"),
  UPSTREAM_MALFORMED_RESPONSE(
      "upstream_malformed_response", 0, "the upstream sent a response that cannot be read"),
  UPSTREAM_WRITE_FAILED("upstream_write_failed", 0, "the request could not be written upstream"),

  // ---- the connection itself ----

  CLIENT_CLOSED("client_closed", 0, "the client closed the connection"),
  CLIENT_ERROR("client_error", 0, "the client connection failed"),
  CLIENT_WRITE_FAILED("client_write_failed", 0, "the answer could not be written to the client"),
  EDGE_LINK_FAILED("edge_link_failed", 0, "the edge link carrying the stream failed"),

  // ---- timeouts and connection caps (config: timeouts, connection_limits) ----

  /** The client did not finish a request head within {@code timeouts.request_head}. */
  REQUEST_HEAD_TIMEOUT(
      "request_head_timeout", 408, "the request head did not arrive in time; send it faster"),
  /**
   * A reverse request's body paused longer than {@code timeouts.request_head} between two parts.
   */
  REQUEST_BODY_TIMEOUT(
      "request_body_timeout", 408, "the request body stopped arriving; send it without pauses"),
  /** A keep-alive connection stayed without a request for {@code timeouts.idle}. */
  IDLE_TIMEOUT("idle_timeout", 0, "the connection was idle too long"),
  /** No upstream or destination accepted a connection within {@code timeouts.upstream_connect}. */
  UPSTREAM_CONNECT_TIMEOUT(
      "upstream_connect_timeout", 504, "the upstream did not accept a connection in time"),
  /** The response did not start within {@code timeouts.upstream_first_byte} of the request. */
  UPSTREAM_FIRST_BYTE_TIMEOUT(
      "upstream_first_byte_timeout", 504, "the upstream did not start its response in time"),
  /** A tunnel or tcp connection passed no byte either way for {@code timeouts.tunnel_idle}. */
  TUNNEL_IDLE_TIMEOUT("tunnel_idle_timeout", 0, "the tunnel was idle too long"),
  /** The client's address holds {@code connection_limits.per_source} connections already. */
  SOURCE_CONNECTION_LIMIT(
      "source_connection_limit", 429, "too many connections from this address; close some"),
  /** The tenant holds {@code connection_limits.per_tenant} connections already. */
  TENANT_CONNECTION_LIMIT(
      "tenant_connection_limit", 429, "too many connections for this tenant; close some"),

  /** A stage failed unexpectedly; the connection was closed rather than the event loop unwound. */
  INTERNAL_ERROR("internal_error", 0, "the gateway failed");

  private final String label;
  private final int status;
  private final String message;

  Reason(String label, int status, String message) {
    this.label = label;
    this.status = status;
    this.message = message;
  }

  /** The stable label: JSON error type, ledger reason, metric label, log field. */
  public String label() {
    return label;
  }

  /** The HTTP status of the gateway's own answer, or 0 when the answer is a close. */
  public int status() {
    return status;
  }

  /** What the client is told, before the detail of the case. */
  public String message() {
    return message;
  }

  /**
   * True for decisions of policy (a {@code deny} in the ledger), false for failures (the connection
   * ends as an {@code error}) and for reasons answered only by a close.
   */
  public boolean policy() {
    return status >= 400 && status < 500;
  }

  @Override
  public String toString() {
    return label;
  }
}
