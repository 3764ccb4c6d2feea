/**
 * Reverse mode: an HTTP/1.1 reverse proxy in front of an OpenAI-compatible inference API. Strict
 * request parsing, the tenant from a trusted header, admission, an upstream connection pool with
 * retry, pipelined requests answered in order, and responses (SSE and chunked) streamed through
 * unbuffered and metered; refusals as JSON errors. The listener class wires its pipelines.
 */
package dev.sluice.gateway.reverse;
