/**
 * The data plane: Netty listeners that carry every byte leaving the site and stop it when its
 * budget is spent. This package holds the top of it: {@link dev.sluice.gateway.Gateway} binds the
 * listeners of a configuration (each mode's own package: {@code reverse}, {@code forward}, {@code
 * tcp}, with {@code edge} for {@code peer: edge}), drains and stops them, with the gateway-wide
 * context. What the modes share is in {@code listener}, {@code admission}, {@code meter}, {@code
 * evidence}, {@code refusal} and {@code stats}, which never depend on this package.
 */
package dev.sluice.gateway;
