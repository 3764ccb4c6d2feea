package dev.sluice.gateway.scan;

import dev.sluice.gateway.evidence.ConnectionRecord;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * The scan of one HTTP body for a stage of the protocol layer: feed the body's pieces, end it, and
 * record what was found. Never throws: a detector that fails is logged and the body is not scanned
 * further. Not thread-safe.
 */
public final class BodyScan {

  private final Detector detector;
  private final ConnectionRecord rec;
  private final ScanSession session;
  private boolean failureLogged;

  BodyScan(Detector detector, ConnectionRecord rec, ScanSession session) {
    this.detector = detector;
    this.rec = rec;
    this.session = session;
  }

  /** Scans the readable bytes of {@code buf}; the first new finding, or null. */
  public Finding feed(ByteBuf buf) {
    session.feed(buf);
    return next();
  }

  /** The body ended; the first new finding, or null. */
  public Finding end() {
    session.end();
    return next();
  }

  /**
   * Records {@code f}, found when {@code bytesOut} bytes of the body had left; the future completes
   * once its ledger entry is durable (or was lost and logged).
   */
  public CompletableFuture<Long> report(Finding f, long bytesOut, boolean blocked) {
    return detector.report(rec, f, bytesOut, blocked);
  }

  /** Whether findings stop the bytes. */
  public boolean blocks() {
    return detector.blocks();
  }

  private Finding next() {
    if (session.failed() != null && !failureLogged) {
      failureLogged = true;
      detector.failed(rec, session.failed());
    }
    return session.poll();
  }
}
