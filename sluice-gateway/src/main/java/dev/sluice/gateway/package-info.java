/**
 * The data plane: Netty listeners that carry every byte leaving the site and stop it when its
 * budget is spent. Holds what all listener modes share: {@link dev.sluice.gateway.Gateway} (binds
 * the listeners of a configuration, drains and stops them), the per-listener and per-gateway
 * context and counters, the stage names and HTTP decoder limits ({@link
 * dev.sluice.gateway.Stages}), the transport (epoll or NIO) and source-address tenants. Each mode
 * lives in its own package.
 */
package dev.sluice.gateway;
