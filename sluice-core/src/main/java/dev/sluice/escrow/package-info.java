/**
 * Escrow: bytes this gateway node has already durably reserved from the budget store and may spend
 * without I/O. One account per budget path, charged per write on the data plane (a volatile read
 * and a compare-and-set), refilled, renewed and settled on the store's threads; spending stops at a
 * grant's expiry (fail closed).
 */
package dev.sluice.escrow;
