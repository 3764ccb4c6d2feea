package dev.sluice.gateway.listener;

/**
 * User event fired on every open connection when the node starts draining: idle connections close
 * at once, busy ones finish what they are doing (the current response, the tunnel) and then close.
 */
public enum Drain {
  INSTANCE
}
