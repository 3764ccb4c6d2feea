/**
 * The data plane's counters (connections, denials by reason, bytes; the edge link's per-tenant raw
 * and compressed bytes, frames and waits), read by the admin API and {@code /metrics}.
 */
package dev.sluice.gateway.stats;
