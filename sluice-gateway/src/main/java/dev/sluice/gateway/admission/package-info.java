/**
 * The admission stage every listener mode runs once tenant and destination are known: halt, the
 * escrow fast path, a refill from the budget store, and the decision (granted, report-mode
 * would_deny, or a deny with its reason), with the evidence of each decision.
 */
package dev.sluice.gateway.admission;
