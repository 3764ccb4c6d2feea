/**
 * TCP mode: a port forward to one configured destination, the tenant by source address, admission
 * before the upstream is dialled, and the upstream connection metered. The listener class wires its
 * pipelines.
 */
package dev.sluice.gateway.tcp;
