/**
 * The largest single transfer of a zone ({@code budgets.zones.Z.max_transfer}): what the stages
 * check a response, request or tunnel against, and the refusal that says how to get a larger one
 * through.
 */
package dev.sluice.gateway.transfer;
