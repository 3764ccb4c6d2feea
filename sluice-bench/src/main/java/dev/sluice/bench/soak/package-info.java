/**
 * The traffic of {@code bench/soak.sh}: mixed clients through gateway listeners (reverse
 * known-length and SSE, forward plain and CONNECT, tcp blasts, a slow reader), the origin and sink
 * they reach, and the tally of the bytes each tenant's egress actually delivered, which the script
 * checks against the caps and the budget counters.
 */
package dev.sluice.bench.soak;
