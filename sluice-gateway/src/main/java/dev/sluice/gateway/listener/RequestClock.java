package dev.sluice.gateway.listener;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;

/**
 * The two client-side clocks of an HTTP connection (reverse and forward listeners, and each stream
 * of an edge link): {@code timeouts.request_head} from accept until the first request head has been
 * decoded, and again from the first byte of each later request; {@code timeouts.idle} while a
 * keep-alive connection waits, with no request in flight, for that first byte. While a request is
 * handled, and once the connection became a tunnel, neither runs. With {@code timeBodies} (reverse
 * listeners, which read a request body without pausing) a request's body must keep arriving too: at
 * most {@code request_head} between two of its parts, else {@link Expiry#requestBodyTimedOut}
 * (nginx {@code client_body_timeout}). Forward listeners pace a body by the meter's back-pressure
 * (the gateway itself stops reading while escrow refills), so their bodies are not timed here.
 *
 * <p>Two handlers share it: {@link #bytes()} before the HTTP decoder (it sees the first raw byte of
 * a request) and {@link #heads()} after it (it sees the decoded head). The connection's handler
 * reports {@link #exchangeDone()} when it waits for the next request and {@link #tunnel()} when the
 * connection stops being HTTP. What an expiry does (a 408, a close, the record and the counter) is
 * the handler's, through {@link Expiry}. Event-loop only.
 */
public final class RequestClock {

  /** What the connection does when a clock runs out. */
  public interface Expiry {
    /** No request head arrived in time; nothing is in flight. */
    void requestHeadTimedOut();

    /** A request body stopped arriving (only with {@code timeBodies}); nothing is in flight. */
    void requestBodyTimedOut();

    /** The keep-alive connection waited too long for its next request. */
    void idleTimedOut();
  }

  private enum State {
    /** Waiting for the first byte of the next request (the idle clock runs). */
    IDLE,
    /** A request head is arriving (the head clock runs). */
    HEAD,
    /** A request body is arriving (the head clock runs between its parts). */
    BODY,
    /** A request is handled: no clock. */
    BUSY,
    /** A tunnel: no clock here (the tunnel's own idle timeout applies). */
    OFF
  }

  private final Duration requestHead;
  private final Duration idle;
  private final Expiry expiry;
  private final boolean timeBodies;
  private Deadline deadline;
  private State state = State.HEAD;

  /**
   * @param timeBodies whether a request body must keep arriving (see the class comment)
   */
  public RequestClock(Duration requestHead, Duration idle, Expiry expiry, boolean timeBodies) {
    this.requestHead = requestHead;
    this.idle = idle;
    this.expiry = expiry;
    this.timeBodies = timeBodies;
  }

  /** The handler before the HTTP decoder: starts the head clock on a request's first byte. */
  public ChannelInboundHandlerAdapter bytes() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = new Deadline(ctx.executor());
        if (ctx.channel().isActive()) {
          armHead();
        }
      }

      @Override
      public void channelActive(ChannelHandlerContext ctx) {
        armHead();
        ctx.fireChannelActive();
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.IDLE && msg instanceof ByteBuf b && b.isReadable()) {
          armHead();
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        state = State.OFF;
        deadline.cancel();
        ctx.fireChannelInactive();
      }
    };
  }

  /** The handler after the HTTP decoder: a decoded request head stops the head clock. */
  public ChannelInboundHandlerAdapter heads() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state != State.OFF) {
          if (msg instanceof HttpRequest && !(msg instanceof LastHttpContent) && timeBodies) {
            state = State.BODY;
            deadline.arm(requestHead, RequestClock.this::bodyExpired);
          } else if (msg instanceof HttpRequest || msg instanceof LastHttpContent) {
            state = State.BUSY;
            deadline.cancel();
          } else if (msg instanceof HttpContent && state == State.BODY) {
            deadline.arm(requestHead, RequestClock.this::bodyExpired);
          }
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  /** The exchange ended and the connection waits for its next request: the idle clock starts. */
  public void exchangeDone() {
    if (state == State.OFF || deadline == null) {
      return;
    }
    state = State.IDLE;
    deadline.arm(idle, this::idleExpired);
  }

  /** The connection became a tunnel (or closes): no more clocks here. */
  public void tunnel() {
    state = State.OFF;
    if (deadline != null) {
      deadline.cancel();
    }
  }

  private void armHead() {
    if (state == State.OFF) {
      return;
    }
    state = State.HEAD;
    deadline.arm(requestHead, this::headExpired);
  }

  private void headExpired() {
    if (state == State.HEAD) {
      state = State.OFF;
      expiry.requestHeadTimedOut();
    }
  }

  private void bodyExpired() {
    if (state == State.BODY) {
      state = State.OFF;
      expiry.requestBodyTimedOut();
    }
  }

  private void idleExpired() {
    if (state == State.IDLE) {
      state = State.OFF;
      expiry.idleTimedOut();
    }
  }
}
