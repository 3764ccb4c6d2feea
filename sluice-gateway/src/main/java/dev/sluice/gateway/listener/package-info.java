/**
 * What every listener mode shares: the listener's context (its zone, tenants, escrow, halts,
 * evidence, meter settings, clock), the stage names, slots and HTTP decoder limits in the order of
 * the architecture picture ({@link dev.sluice.gateway.listener.Stages}), the transport (epoll or
 * NIO) and socket settings, source-address tenants, the server TLS context of a {@code tls:}
 * section ({@link dev.sluice.gateway.listener.ServerTls}, also used by the admin API), and the
 * drain of a stopping gateway. Depends on nothing of the mode packages; they depend on it.
 */
package dev.sluice.gateway.listener;
