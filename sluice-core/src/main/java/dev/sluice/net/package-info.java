/**
 * Network addresses as the gateway handles them at run time and the configuration names them:
 * {@code host:port} pairs, CIDR networks and the parsing of IP literals in every form a client may
 * write one (brackets, zone ids, IPv4-mapped IPv6), so no literal slips past a deny range.
 */
package dev.sluice.net;
