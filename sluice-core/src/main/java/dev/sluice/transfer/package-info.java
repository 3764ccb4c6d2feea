/**
 * Approved large transfers: what operators allowed above a zone's {@code max_transfer} (a tenant, a
 * destination, a size, until an expiry), kept in memory by the node that allowed them.
 */
package dev.sluice.transfer;
