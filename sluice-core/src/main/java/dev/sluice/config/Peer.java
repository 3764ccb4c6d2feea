package dev.sluice.config;

/**
 * Who is at the other end of a listener's accepted connections: a client speaking the listener's
 * protocol directly, or a {@code sluice edge} that carries one client connection per edge link
 * (docs/formats/edge-link-v1.md) and restores the compressed egress outside the boundary.
 */
public enum Peer {
  /** Clients connect to the listener itself (the default). */
  DIRECT,
  /** {@code sluice edge} connects; egress toward it is compressed and charged as link bytes. */
  EDGE
}
