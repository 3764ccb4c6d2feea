/**
 * Metering at the socket: the handler at the head of every outside-facing pipeline that charges
 * each byte against its account's escrow before it is written (waiting in order for refills,
 * refusing when the budget or the ledger says no), the control allowance for the gateway's own
 * bytes, and the per-connection counters the evidence reports.
 */
package dev.sluice.gateway.meter;
