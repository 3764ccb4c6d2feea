package dev.sluice.gateway.forward;

/** The state of one forward connection ({@link ForwardHandler}). */
enum ForwardState {
  /** Waiting for the next request. */
  IDLE,
  /** A request is between intake and its destination connection (or its tunnel's 200). */
  ADMITTING,
  /** An absolute-form request is being forwarded or answered. */
  EXCHANGE,
  /** Bytes are relayed both ways. */
  TUNNEL,
  /** Refused or failed: nothing more is read or forwarded. */
  CLOSING
}
