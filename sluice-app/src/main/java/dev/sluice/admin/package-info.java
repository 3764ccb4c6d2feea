/**
 * The admin HTTP API of a running node, loopback by default: health and readiness, {@code
 * /api/budgets}, {@code /metrics} (every Sluice series in the Prometheus text format), and halt and
 * resume behind a bearer token. Control plane only: it reads the data plane's counters and
 * switches, never the other way round.
 */
package dev.sluice.admin;
