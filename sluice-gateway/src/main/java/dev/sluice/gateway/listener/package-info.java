/**
 * What every listener mode shares: the listener's context (its zone, tenants, escrow, halts,
 * evidence, meter settings, clock), the stage names, slots and HTTP decoder limits in the order of
 * the architecture picture ({@link dev.sluice.gateway.listener.Stages}), the transport (epoll or
 * NIO) and socket settings, source-address tenants, and the drain of a stopping gateway. Depends on
 * nothing of the mode packages; they depend on it.
 */
package dev.sluice.gateway.listener;
