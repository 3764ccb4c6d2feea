package dev.sluice.gateway.reverse;

/**
 * The phases of the exchange in progress on one client connection of a reverse listener. It is the
 * single state of {@link ReverseProxyHandler} and its helpers (it replaces the {@code busy}, {@code
 * awaitingResponse}, {@code headersSent}, {@code reserving} and {@code closing} flags):
 *
 * <pre>
 *   IDLE       ─ a request is taken ─────────────────► ADMITTING
 *   ADMITTING  ─ granted, no open upstream ──────────► CONNECTING
 *              ─ granted, upstream open ─────────────► AWAITING
 *              ─ unknown tenant, denied ─────────────► ANSWERING (or CLOSING)
 *   CONNECTING ─ connected, request sent ────────────► AWAITING
 *              ─ no upstream accepted ───────────────► ANSWERING (or CLOSING)
 *   AWAITING   ─ pooled connection failed ───────────► RETRYING ─ sent again ─► AWAITING
 *              ─ head of known length, not paid yet ─► RESERVING ─ paid ──────► STREAMING
 *              ─ head ───────────────────────────────► STREAMING
 *   STREAMING  ─ last part handed to the codec ──────► FINISHING
 *   FINISHING  ─ last part written, keep-alive ──────► IDLE (or the next pipelined request)
 *   ANSWERING  ─ answer written ─────────────────────► IDLE (or the next pipelined request)
 *   any        ─ refused, cut, drained, not kept ────► CLOSING (final)
 * </pre>
 */
enum ExchangePhase {
  /** No request in progress: the connection reads on. */
  IDLE,
  /** A request was taken: its tenant is identified and the admission stage asked. */
  ADMITTING,
  /** Admitted: a connection to an upstream is being opened. */
  CONNECTING,
  /** The request was sent upstream; no response head has come back yet. */
  AWAITING,
  /**
   * A pooled upstream connection failed before any response: the request is being sent again on a
   * fresh connection (still awaiting its response).
   */
  RETRYING,
  /**
   * The response head came and its known length is being paid for as a whole before its first byte
   * leaves (upstream reading paused, later parts held).
   */
  RESERVING,
  /** The response head was handed to the codec: the response streams to the client. */
  STREAMING,
  /**
   * The response's last part was handed to the codec: the upstream's message is complete and what
   * is left of it is being written to the client (a slow client may take a while). The upstream
   * closing its connection now is how its response ended (HTTP/1.0, {@code Connection: close}), not
   * a failure, and anything more it sends is not relayed.
   */
  FINISHING,
  /**
   * The gateway writes an answer of its own (a refusal or an error) and then takes the next one.
   */
  ANSWERING,
  /** The connection is being closed: nothing more is forwarded or relayed. Final. */
  CLOSING;

  /** Whether a request of this connection is being handled (a pipelined one must wait). */
  boolean busy() {
    return this != IDLE;
  }

  /** Whether a request was sent upstream and its response is still expected. */
  boolean awaitingResponse() {
    return this == AWAITING || this == RETRYING || this == RESERVING || this == STREAMING;
  }

  /** Whether the response head was prepared for the client (reserving, streaming or finishing). */
  boolean headStarted() {
    return this == RESERVING || this == STREAMING || this == FINISHING;
  }

  /**
   * Whether a response is owed to the client or still being written to it: the client closing now
   * means it did not get its whole response.
   */
  boolean responding() {
    return awaitingResponse() || this == FINISHING;
  }
}
