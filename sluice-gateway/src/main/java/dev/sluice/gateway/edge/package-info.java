/**
 * The egress link toward {@code sluice edge} outside the boundary ({@code peer: edge}): one long-
 * lived multiplexed link per edge carrying every client connection as a stream with flow control,
 * events of many streams coded together into codec frames (sluice-codec), every frame charged to
 * the tenants whose bytes it carries before it is written; the edge side that restores them. Wire
 * format: docs/formats/edge-link-v2.md.
 */
package dev.sluice.gateway.edge;
