package dev.sluice.gateway.edge;

/**
 * Which end of an edge link writes a stream. Each TCP connection carries one stream each way; the
 * first frame of the edge's stream is a HELLO, the first frame of the gateway's an ACCEPT or a
 * REFUSE.
 */
public enum LinkSide {
  /** {@code sluice edge}, outside the boundary: it opens the link and speaks first. */
  EDGE,
  /** A gateway listener with {@code peer: edge}. */
  GATEWAY;

  /** The side at the other end of the link. */
  public LinkSide peer() {
    return this == EDGE ? GATEWAY : EDGE;
  }

  /** Lower-case name, for messages. */
  public String label() {
    return this == EDGE ? "edge" : "gateway";
  }
}
