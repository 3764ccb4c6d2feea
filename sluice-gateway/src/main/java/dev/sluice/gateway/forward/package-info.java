/**
 * Forward mode: an HTTP proxy for inside clients, CONNECT tunnels and absolute-URI requests, with
 * tenants by source address or Proxy-Authorization, destination policy by host pattern, resolved
 * addresses checked against denied ranges (no bypass by IP literals or DNS), admission, and the
 * origin connection metered. The listener class wires its pipelines.
 */
package dev.sluice.gateway.forward;
