/**
 * The client of {@code bench/codec-live.sh}: streams of every family through a gateway's edge link
 * and through a direct listener, in pairs, measuring link bytes from the gateway's metrics and the
 * time each part of an answer arrives against when the upstream sent it.
 */
package dev.sluice.bench.live;
