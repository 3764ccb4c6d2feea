package dev.sluice.gateway.edge;

/**
 * User event fired by {@link LinkFrameCodec} when the link failed: the peer's stream was rejected
 * ({@code cause} is a {@link LinkFormatException} naming the offset) or the channel failed. The
 * codec has already tried to send an ERROR and is closing the channel; handlers after it should
 * drop what they carry for this link (the edge aborts its client connection, so nothing wrong
 * reaches the client as if it were complete).
 */
public record LinkFailure(Throwable cause) {}
