package dev.sluice.config;

/** What a listener proxies, which decides which direction of its traffic is egress. */
public enum ListenerMode {
  /** HTTP/1.1 reverse proxy in front of the inference API; responses are egress. */
  REVERSE,
  /** HTTP proxy for connections from inside (CONNECT and absolute URIs); requests are egress. */
  FORWARD,
  /** Plain TCP port forward; the egress direction is configured ({@link Egress}). */
  TCP
}
