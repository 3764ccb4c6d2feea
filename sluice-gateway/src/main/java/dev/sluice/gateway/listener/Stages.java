package dev.sluice.gateway.listener;

import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * The stages of the data plane, named once, in the order of the architecture picture:
 *
 * <pre>
 *   identify → admit → scan → compress → meter → write
 * </pre>
 *
 * Each listener mode assembles its pipelines in one class that reads in this order: {@code
 * reverse.ReverseListener}, {@code forward.ForwardListener}, {@code tcp.TcpListener} (and, for the
 * multiplexed link toward {@code sluice edge}, {@code edge.EdgeLinks}). In a Netty pipeline bytes
 * toward the outside travel from the tail to the head, so a stage that must see them before another
 * sits closer to the tail: the meter is at the head (it sees exactly what reaches the socket), the
 * codec and TLS above it, the scan slot above those, and the handler that identifies and admits at
 * the tail.
 *
 * <p>Two slots are named here:
 *
 * <ul>
 *   <li>{@link #SCAN}: the detection stage (weight fingerprints, tensor statistics; {@code
 *       scan.Detector}). It goes on the egress side of every mode, above TLS and the edge codec, so
 *       it sees the plain bytes that leave, before compression and metering: below the protocol
 *       codec as {@code scan.ScanStage} (tcp, CONNECT tunnels, forward edge streams), and directly
 *       above the HTTP codec as {@code scan.HttpScanStage} (reverse responses, forward requests),
 *       where each message's head is still a message, so a body is scanned decoded by its
 *       Content-Encoding, judged whole at its end, and a reverse refusal can still be a 403. A scan
 *       stage never throws: a finding becomes a 403 or a cut, a metric and a {@code detection}
 *       entry.
 *   <li>{@link #EDGE_CODEC}: the egress codec toward {@code sluice edge} ({@code peer: edge}): the
 *       multiplexed link replaces the socket below the protocol handlers ({@code edge.EdgeLinks}),
 *       so each stream's pipeline is the mode's own from the protocol codec up.
 * </ul>
 *
 * <p>The HTTP decoder limits are written here once: what the gateway accepts from inside clients
 * ({@link #serverDecoder()}) and from upstreams and destinations ({@link #clientDecoder()}).
 */
public final class Stages {

  /** The meter at the head of every egress-side pipeline: charges each byte before it leaves. */
  public static final String METER = "meter";

  /** Optional TLS (client-facing in reverse mode, toward an https upstream, or the edge link). */
  public static final String TLS = "tls";

  /** Slot of the edge link's codec ({@code peer: edge}); see the class comment. */
  public static final String EDGE_CODEC = "mux-codec";

  /** Slot of the scan stage ({@code detection}); empty when the listener's zone detects nothing. */
  public static final String SCAN = "scan";

  /**
   * The idle timer of a tunnel ({@code timeouts.tunnel_idle}): on the client channel of a CONNECT
   * tunnel or a tcp connection, where every byte of either direction passes (read from the client,
   * or written to it); a quiet tunnel gets an {@code IdleStateEvent} and is closed on both sides.
   */
  public static final String TUNNEL_IDLE = "tunnel-idle";

  /** The relay toward the other side of a connection. */
  public static final String RELAY = "relay";

  /** Longest request or status line, in bytes. */
  public static final int MAX_INITIAL_LINE = 8192;

  /** Most header bytes of a request from an inside client. */
  public static final int MAX_REQUEST_HEADERS = 16 * 1024;

  /** Most header bytes of a response from an upstream or destination. */
  public static final int MAX_RESPONSE_HEADERS = 32 * 1024;

  /** Largest chunk the decoders hand on at once (bodies stream in pieces of at most this). */
  public static final int MAX_CHUNK = 64 * 1024;

  private Stages() {}

  /** The tunnel idle timer for {@code idle}, to put first on a tunnel's client channel. */
  public static io.netty.handler.timeout.IdleStateHandler tunnelIdle(java.time.Duration idle) {
    return new io.netty.handler.timeout.IdleStateHandler(
        0, 0, idle.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /**
   * Limits for requests read from inside clients: strict line parsing, no duplicate {@code
   * Content-Length} (request smuggling), bounded line and headers.
   */
  public static HttpDecoderConfig serverDecoder() {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_INITIAL_LINE)
        .setMaxHeaderSize(MAX_REQUEST_HEADERS)
        .setMaxChunkSize(MAX_CHUNK)
        .setStrictLineParsing(true)
        .setAllowDuplicateContentLengths(false);
  }

  /** Limits for responses read from upstreams (reverse) and destinations (forward). */
  public static HttpDecoderConfig clientDecoder() {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_INITIAL_LINE)
        .setMaxHeaderSize(MAX_RESPONSE_HEADERS)
        .setMaxChunkSize(MAX_CHUNK);
  }
}
