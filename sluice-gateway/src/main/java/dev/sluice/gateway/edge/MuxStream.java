package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.MuxMessage.ResetCode;
import dev.sluice.gateway.evidence.ConnectionRecord;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPromise;
import java.util.ArrayDeque;

/**
 * The gateway's state of one stream of a link: its child channel and meter, downward credit, the
 * flushed writes not yet taken by the codec, the promises waiting for the frame that carries their
 * last byte, upward credit, and how far each half is. Plain fields, used by {@link GatewayMux} and
 * {@link FrameWriter} on the link's event loop.
 */
final class MuxStream {

  /** A flushed write not yet (wholly) in the codec. */
  static final class Write {
    final ByteBuf buf;
    final ChannelPromise promise;
    final boolean control;

    Write(ByteBuf buf, ChannelPromise promise, boolean control) {
      this.buf = buf;
      this.promise = promise;
      this.control = control;
    }
  }

  /** A write wholly in the codec: done once {@code end} raw bytes of the stream were committed. */
  record Waiting(long end, ChannelPromise promise) {}

  static final long NEVER = Long.MIN_VALUE;

  final int id;
  final StreamChannel child;
  final StreamMeter meter;
  final ConnectionRecord record;

  /** Raw bytes the edge lets the gateway send on this stream now. */
  long credit;

  final ArrayDeque<Write> unfed = new ArrayDeque<>();
  long unfedBytes;
  final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

  /** Raw bytes given to the codec, and committed in frames written. */
  long fed;

  long committed;

  /** What the codec holds of this stream is control bytes (a denial), paid from control. */
  boolean pendingControl;

  /** A frame share waits for the tenant's escrow to refill. */
  boolean waitingEscrow;

  /** When the oldest byte the codec holds for this stream arrived (nanos), or NEVER. */
  long oldestPending = NEVER;

  /** When a frame last carried this stream (nanos), or NEVER. */
  long lastSent = NEVER;

  /**
   * When DATA from the edge (the client's request bytes) last arrived (nanos), or NEVER: bytes the
   * gateway sends after it begin an answer, even on a keep-alive stream that sent a moment ago.
   */
  long lastReceived = NEVER;

  /** The child closed: END (or RESET) once what it flushed has left. */
  boolean closeRequested;

  /** The stream was refused after some of a response left: its close is a RESET. */
  boolean cut;

  /** Set to reset the stream (instead of END) with this code and reason. */
  ResetCode reset;

  String resetReason = "";

  /** The END or RESET down was written (the codec stream is closed). */
  boolean downEnded;

  /** The edge's END or RESET was read. */
  boolean upEnded;

  /** Client bytes read for this stream (END's count), granted back and still allowed. */
  long upBytes;

  long upConsumed;
  long upAllowed;

  /** END or RESET down is paid from control (the tenant refused it). */
  boolean endFromControl;

  MuxStream(int id, StreamChannel child, StreamMeter meter, long credit, long upWindow) {
    this.id = id;
    this.child = child;
    this.meter = meter;
    this.record = meter.record();
    this.credit = credit;
    this.upAllowed = upWindow;
  }

  /** True once nothing more goes either way and the stream can be forgotten. */
  boolean done() {
    return downEnded && (upEnded || reset != null);
  }
}
