/**
 * Alerts (issue 16): budget thresholds, egress rate, halts, stranded escrow, an unavailable budget
 * store or ledger, and a stale checkpoint. Conditions are evaluated periodically on the injected
 * clock ({@link dev.sluice.alert.Alerting}); each change of an alert is logged, written to the
 * ledger as an {@code ALERT} entry, served at {@code GET /api/alerts} and sent to webhooks in
 * Alertmanager's webhook format version 4, retried with back-off on a thread of its own. Control
 * plane only: it reads the data plane's counters and never touches a byte in flight.
 */
package dev.sluice.alert;
