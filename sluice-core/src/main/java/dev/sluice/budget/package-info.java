/**
 * The budget tree and its arithmetic: the site, its zones, each zone's tenants and destinations,
 * each with limits (a cap of bytes per window); the path a byte pays along; and the counters that
 * pay a charge in every window of every node on a path, or pay nothing. Caps are {@code long}
 * bytes, with overflow checks; no floating point decides whether a byte may leave.
 */
package dev.sluice.budget;
