/**
 * What the data plane decided, written down: deny ledger entries and metrics for refusals, and one
 * connection ledger entry and one canonical log line per closed connection.
 */
package dev.sluice.gateway.evidence;
