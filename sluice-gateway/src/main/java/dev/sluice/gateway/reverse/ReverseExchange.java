package dev.sluice.gateway.reverse;

import dev.sluice.gateway.transfer.MaxTransfer;

/**
 * The state of one client connection of a reverse listener: the {@link ExchangePhase} of its
 * current exchange (the one state value, changed only through {@link #to}) and the facts about the
 * current request and response that later steps need. Confined to the client's event loop.
 */
final class ReverseExchange {

  private ExchangePhase phase = ExchangePhase.IDLE;

  /** The tenant of the current request, once identified (null before). */
  String tenant;

  /** The largest single transfer this exchange may make (the zone's, or an approved one). */
  MaxTransfer maxTransfer = MaxTransfer.NONE;

  /** The client asked to keep the connection after this exchange (a drain clears it). */
  boolean keepAlive;

  /**
   * The current request came as HTTP/1.0: its response must not be chunked (RFC 9112 section 7.1),
   * so one of unknown length is delimited by closing the connection, and keep-alive is explicit.
   */
  boolean http10;

  /** The request was a HEAD: its response has no body whatever its headers say. */
  boolean head;

  /** The upstream will keep its connection after this response (so it may go back to the pool). */
  boolean upstreamKeepAlive;

  ExchangePhase phase() {
    return phase;
  }

  /** Moves to {@code next}; {@link ExchangePhase#CLOSING} is final and is never left. */
  void to(ExchangePhase next) {
    if (phase != ExchangePhase.CLOSING) {
      phase = next;
    }
  }

  boolean is(ExchangePhase p) {
    return phase == p;
  }

  boolean closing() {
    return phase == ExchangePhase.CLOSING;
  }
}
