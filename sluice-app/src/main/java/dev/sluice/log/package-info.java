/**
 * The process's logging backend: an SLF4J 2 provider that writes every log line to standard error,
 * either in the text format slf4j-simple wrote ({@code [thread] LEVEL logger - message}) or, with
 * {@code logging.format: json}, as one JSON object per line ({@link JsonLine}). Lines of {@code
 * java.util.logging} (gRPC under jetcd) come through {@link JulBridge} in JSON mode. A line's own
 * JSON fields: the key-value pairs of the fluent API, and those of a {@code LogFields} argument
 * (the connection line's).
 */
package dev.sluice.log;
