package dev.sluice.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits a server-sent-event byte stream ({@code text/event-stream}) into events, incrementally and
 * losslessly: the pieces it hands to its {@link Sink}, concatenated in order, are exactly the bytes
 * it was fed, whatever those bytes are.
 *
 * <p>An event is everything up to and including the line terminator of the blank line that ends it,
 * as in the HTML standard's event-stream grammar: lines end with {@code \r\n}, {@code \n} or {@code
 * \r}, and are kept as they came (comments, unusual fields, {@code data:} with or without its
 * space, a byte-order mark, invalid UTF-8: the splitter looks only at {@code \r} and {@code \n}). A
 * blank line with nothing before it is an event of its own (one terminator).
 *
 * <p>Bytes may be fed in slices of any size, one at a time included. An incomplete tail is held
 * until more bytes come; a {@code \r} that ends a blank line is held for one more byte, since a
 * {@code \n} after it belongs to the same terminator. {@link #finish()} hands over what is held: a
 * complete event if the held bytes end with a blank line's {@code \r}, else a {@link
 * Kind#REMAINDER}. An event longer than the limit given at construction is handed over in {@link
 * Kind#FRAGMENT}s of that size, the last of them with kind {@link Kind#EVENT}, so memory stays
 * bounded.
 *
 * <p>The sink's array is only valid during the call; copy what you keep. Not thread-safe.
 */
public final class SseEvents {

  /** What a piece handed to the sink is. */
  public enum Kind {
    /** A whole event, or the last part of one that was handed over in fragments. */
    EVENT,
    /** A leading part of an event longer than the limit; more of the same event follows. */
    FRAGMENT,
    /** Bytes left at the end of the stream that do not end with a blank line. */
    REMAINDER
  }

  /** Receives the pieces; {@code buf[off, off + len)} is valid only during the call. */
  @FunctionalInterface
  public interface Sink {
    void accept(Kind kind, byte[] buf, int off, int len);
  }

  /** The default limit on the bytes held for one event: 1 MiB. */
  public static final int DEFAULT_MAX_EVENT = 1 << 20;

  private final Sink sink;
  private final int maxEvent;
  private byte[] held = new byte[256];
  private int count;

  /** No content byte seen yet on the current line. */
  private boolean lineEmpty = true;

  /** The last byte was a {@code \r}; a {@code \n} right after it completes its terminator. */
  private boolean pendingCr;

  private boolean finished;

  public SseEvents(Sink sink) {
    this(sink, DEFAULT_MAX_EVENT);
  }

  /**
   * @param maxEvent the most bytes held for one event before a {@link Kind#FRAGMENT} is handed
   *     over; at least 1
   */
  public SseEvents(Sink sink, int maxEvent) {
    if (maxEvent < 1) {
      throw new IllegalArgumentException("maxEvent must be at least 1: " + maxEvent);
    }
    this.sink = Objects.requireNonNull(sink, "sink");
    this.maxEvent = maxEvent;
  }

  /** Feeds all of {@code b}. */
  public void feed(byte[] b) {
    feed(b, 0, b.length);
  }

  /** Feeds {@code b[off, off + len)}; the events it completes are handed over before returning. */
  public void feed(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (finished) {
      throw new IllegalStateException("the stream has ended");
    }
    int end = off + len;
    int i = off;
    while (i < end) {
      byte c = b[i];
      if (pendingCr) {
        pendingCr = false;
        if (c == '\n') {
          append(c);
          endLine();
          i++;
          continue;
        }
        endLine();
      }
      if (c == '\r') {
        append(c);
        pendingCr = true;
        i++;
      } else if (c == '\n') {
        append(c);
        endLine();
        i++;
      } else {
        // A run of ordinary bytes, copied at once.
        int j = lineBreak(b, i + 1, end);
        appendRun(b, i, j - i);
        lineEmpty = false;
        i = j;
      }
    }
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101_0101_0101_0101L;
  private static final long HIGHS = 0x8080_8080_8080_8080L;

  /**
   * The index of the first {@code \n} or {@code \r} in {@code b[from, end)}, or {@code end}: eight
   * bytes at a time (a byte equal to c makes {@code (v ^ c) - 1} borrow into its high bit; the
   * lowest flagged byte is always a true match).
   */
  static int lineBreak(byte[] b, int from, int end) {
    int j = from;
    for (; j + 8 <= end; j += 8) {
      long v = (long) LONGS.get(b, j);
      long lf = v ^ (ONES * '\n');
      long cr = v ^ (ONES * '\r');
      long t = (((lf - ONES) & ~lf) | ((cr - ONES) & ~cr)) & HIGHS;
      if (t != 0) {
        return j + (Long.numberOfTrailingZeros(t) >>> 3);
      }
    }
    while (j < end && b[j] != '\n' && b[j] != '\r') {
      j++;
    }
    return j;
  }

  /** Ends the stream: hands over what is held. Idempotent. */
  public void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (pendingCr) {
      pendingCr = false;
      endLine();
    }
    if (count > 0) {
      sink.accept(Kind.REMAINDER, held, 0, count);
      count = 0;
    }
  }

  /**
   * Hands over the bytes held now as a {@link Kind#FRAGMENT}, so that a flush can send them; the
   * splitter's line state is kept, so where later events end does not change (only how the current
   * one is cut into pieces).
   */
  public void drain() {
    if (count > 0) {
      sink.accept(Kind.FRAGMENT, held, 0, count);
      count = 0;
    }
  }

  /** Bytes held now, waiting for more input. */
  public int held() {
    return count;
  }

  private void endLine() {
    if (lineEmpty) {
      sink.accept(Kind.EVENT, held, 0, count);
      count = 0;
    }
    lineEmpty = true;
  }

  private void appendRun(byte[] b, int off, int n) {
    while (n > 0) {
      if (count == maxEvent) {
        sink.accept(Kind.FRAGMENT, held, 0, count);
        count = 0;
      }
      int k = Math.min(n, maxEvent - count);
      if (count + k > held.length) {
        held = Arrays.copyOf(held, Math.min(maxEvent, Math.max(count + k, held.length * 2)));
      }
      System.arraycopy(b, off, held, count, k);
      count += k;
      off += k;
      n -= k;
    }
  }

  private void append(byte c) {
    if (count == maxEvent) {
      sink.accept(Kind.FRAGMENT, held, 0, count);
      count = 0;
    }
    if (count == held.length) {
      held = Arrays.copyOf(held, Math.min(maxEvent, held.length * 2));
    }
    held[count++] = c;
  }
}
