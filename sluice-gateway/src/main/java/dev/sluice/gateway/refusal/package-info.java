/**
 * Why the data plane refused something: one enum of reasons from which the JSON error type, the
 * HTTP status, the client message, the ledger entry's reason, the metric label and the log line are
 * all derived, and the refusal value a stage stops bytes with.
 */
package dev.sluice.gateway.refusal;
