/**
 * The built-in demo inference API: an OpenAI-compatible chat completions server on Netty that
 * streams its answers (generated prose, or given texts) as server-sent events, one chunk per
 * o200k_base token, in OpenAI's framing. The upstream of {@code sluice demo}, and the origin of the
 * end-to-end tests and benchmarks.
 */
package dev.sluice.demo;
