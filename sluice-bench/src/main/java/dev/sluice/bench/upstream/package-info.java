/**
 * The family upstream of the live benchmarks: answers in every stream family at its real endpoint,
 * paced at a fixed event rate, with a log of when each event was handed to the socket.
 */
package dev.sluice.bench.upstream;
