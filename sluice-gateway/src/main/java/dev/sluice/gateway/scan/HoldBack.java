package dev.sluice.gateway.scan;

import dev.sluice.detect.fingerprint.ChunkParams;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The writes a blocking scan stage holds back, so that bytes a detector has not yet judged do not
 * leave: the newest {@link #LIMIT} bytes of the stream at least, and each held write for at most
 * {@code detection.hold} ({@link Detector#hold()}) after it was flushed.
 *
 * <p>Why this much: the fingerprint matcher reports a match when the match's first chunk is cut,
 * with the stream offset where that chunk started. A chunk is at most {@link ChunkParams#max()}
 * bytes (128 KiB) of the lane that cut it; on the base64 lane that is 171 KiB of the stream, on the
 * hex lanes 256 KiB, and a decoded lane names the start of the piece its first byte came from (one
 * more piece, at most {@link #MAX_PIECE}). So holding {@code 2 * max + MAX_PIECE} bytes keeps every
 * reported chunk of every lane in the queue; the tensor scanner judges 128 KiB windows, which this
 * covers too.
 *
 * <p>Why not longer: a write that waits {@code detection.hold} ({@link Detector#hold()}) leaves
 * even if fewer bytes followed it, so a streaming answer is delayed by at most that. The residual:
 * a stream slower than {@code LIMIT} per deadline lets bytes leave before their chunk is complete,
 * so up to one chunk of the lane (128 KiB raw, 171 KiB base64, 256 KiB hex) may leave before the
 * match stops the stream.
 *
 * <p>Writes keep their order and their promises: a released write is passed on with its promise, a
 * dropped one is released and its promise failed. Not thread-safe: the channel's event loop only.
 */
public final class HoldBack {

  /** The largest piece one write carries from the protocol codecs ({@code Stages.MAX_CHUNK}). */
  public static final int MAX_PIECE = 64 * 1024;

  /** Bytes held back at least (see the class comment). */
  public static final int LIMIT = 2 * ChunkParams.DEFAULT.max() + MAX_PIECE;

  private record Held(Object msg, int bytes, ChannelPromise promise) {}

  private final ArrayDeque<Held> queue = new ArrayDeque<>();
  private final long limit;
  private final long deadlineNanos;
  private long held;
  private long released;
  private ScheduledFuture<?> timer;

  /**
   * @param limit bytes held back at least ({@link #LIMIT})
   * @param deadlineNanos how long a flushed write waits at most ({@code detection.hold})
   */
  public HoldBack(long limit, long deadlineNanos) {
    this.limit = limit;
    this.deadlineNanos = deadlineNanos;
  }

  /**
   * Holds {@code msg} ({@code bytes} bytes of the stream), then passes on the oldest writes while
   * the rest still hold {@link #LIMIT} bytes.
   */
  public void add(ChannelHandlerContext ctx, Object msg, int bytes, ChannelPromise promise) {
    queue.add(new Held(msg, bytes, promise));
    held += bytes;
    while (!queue.isEmpty() && held - queue.peek().bytes() >= limit) {
      pass(ctx, queue.poll());
    }
  }

  /** A flush: what is held leaves at the deadline unless it left before. */
  public void flushed(ChannelHandlerContext ctx) {
    if (!queue.isEmpty() && timer == null) {
      timer =
          ctx.executor()
              .schedule(
                  () -> {
                    timer = null;
                    releaseAll(ctx);
                    ctx.flush();
                  },
                  deadlineNanos,
                  TimeUnit.NANOSECONDS);
    }
  }

  /** Passes on every held write (not flushed). */
  public void releaseAll(ChannelHandlerContext ctx) {
    Held h;
    while ((h = queue.poll()) != null) {
      pass(ctx, h);
    }
    cancelTimer();
  }

  /**
   * Stops the deadline: nothing held leaves on its own any more (a finding is being recorded; the
   * held writes are dropped once it is, {@link #drop}).
   */
  public void freeze() {
    cancelTimer();
  }

  /**
   * Takes a write that must not leave while a finding is being recorded: its bytes are released at
   * once, its promise stays open until {@link #drop} fails it (failing it now would make the relay
   * close the connection before the finding is in the ledger).
   */
  public void park(Object msg, ChannelPromise promise) {
    ReferenceCountUtil.release(msg);
    queue.add(new Held(null, 0, promise));
  }

  /** Drops every held write: releases it and fails its promise with {@code why}. */
  public void drop(String why) {
    cancelTimer();
    Held h;
    while ((h = queue.poll()) != null) {
      held -= h.bytes();
      if (h.msg() != null) {
        ReferenceCountUtil.release(h.msg());
      }
      failQuietly(h.promise(), why);
    }
  }

  /** Whether {@code msg} (by identity) is still held. */
  public boolean holds(Object msg) {
    for (Held h : queue) {
      if (h.msg() == msg) {
        return true;
      }
    }
    return false;
  }

  /** Stream bytes passed on so far: the offset of the first byte still held. */
  public long released() {
    return released;
  }

  /** Bytes held now. */
  public long held() {
    return held;
  }

  /** Fails {@code promise} (a refused write) unless it is the void promise. */
  public static void failQuietly(ChannelPromise promise, String why) {
    if (!promise.isVoid()) {
      promise.tryFailure(new IOException(why));
    }
  }

  private void pass(ChannelHandlerContext ctx, Held h) {
    held -= h.bytes();
    released += h.bytes();
    ctx.write(h.msg(), h.promise());
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
