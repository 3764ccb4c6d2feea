package dev.sluice.gateway.forward;

import dev.sluice.gateway.meter.RefusedException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * One absolute-form request and its response, streamed both ways without buffering. The request
 * head and each body chunk are written to the destination channel, whose {@link
 * dev.sluice.gateway.meter.EgressMeter} completes a write only once it is paid for and written; the
 * client handler reads the next chunk from the inside only when no write is pending. Each response
 * part is written to the client, and the next one read from the destination only when that write
 * completed. Used on the client's event loop only.
 */
final class Exchange {

  private final ForwardHandler owner;
  private final ChannelHandlerContext client;
  private final Origin origin;
  private final HttpVersion clientVersion;
  private final boolean head;
  private boolean clientKeepAlive;
  private boolean requestRead;
  private int writesPending;
  private boolean responseStarted;
  private boolean responseReceived;
  private boolean responseWritten;
  private boolean originKeepAlive;
  private boolean finished;

  /** {@code clientKeepAlive}: the client asked to keep its connection open after this request. */
  Exchange(
      ForwardHandler owner,
      ChannelHandlerContext client,
      Origin origin,
      HttpRequest req,
      boolean clientKeepAlive) {
    this.owner = owner;
    this.client = client;
    this.origin = origin;
    this.clientVersion = req.protocolVersion();
    this.head = req.method().equals(HttpMethod.HEAD);
    this.clientKeepAlive = clientKeepAlive;
  }

  /**
   * Sends the request head (already rewritten by {@link ProxyHeaders#request}); {@code
   * expectContinue} answers 100 to the client.
   */
  void start(HttpRequest req, boolean expectContinue) {
    origin.meter().markMessageStart();
    requestRead = req instanceof LastHttpContent;
    write(req);
    origin.channel().read();
    if (expectContinue) {
      client.writeAndFlush(ForwardResponses.continueResponse());
    }
  }

  Origin origin() {
    return origin;
  }

  /** True while the request body is still being read from the client. */
  boolean wantsBody() {
    return !requestRead;
  }

  /** True when no write to the destination is pending, so the next chunk may be read. */
  boolean writesDone() {
    return writesPending == 0;
  }

  /** Nothing of the response has been handed to the client yet. */
  boolean responseNotStarted() {
    return !responseStarted;
  }

  /** A part of the request body, read from the client. */
  void body(Object msg) {
    if (!(msg instanceof HttpContent c)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    requestRead = c instanceof LastHttpContent;
    write(c);
  }

  private void write(HttpObject part) {
    writesPending++;
    origin
        .channel()
        .writeAndFlush(part)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  writesPending--;
                  if (f.cause() instanceof RefusedException) {
                    return; // the meter refused: the handler was told, or the channel closed
                  }
                  if (!f.isSuccess()) {
                    owner.originWriteFailed(this);
                  } else if (requestRead && writesPending == 0) {
                    if (!responseStarted) {
                      owner.requestSent(this); // the first-byte clock starts
                    }
                    finishIfDone();
                  } else {
                    owner.readMore();
                  }
                });
  }

  /** A part of the response, decoded from the destination. */
  void fromOrigin(HttpObject msg) {
    if (responseReceived) {
      // More than one response to one request: never relayed (the client would take it for the
      // answer to its next request), and the connection is not reused.
      ReferenceCountUtil.release(msg);
      originKeepAlive = false;
      return;
    }
    if (msg instanceof HttpResponse res) {
      if (res.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        ReferenceCountUtil.release(msg); // 100 Continue was answered by us; others do not apply
        origin.channel().read();
        return;
      }
      originKeepAlive = HttpUtil.isKeepAlive(res);
      int code = res.status().code();
      boolean bodyless = head || code == 204 || code == 304;
      clientKeepAlive = ProxyHeaders.response(res, bodyless, clientKeepAlive, clientVersion);
      responseStarted = true;
    }
    boolean last = msg instanceof LastHttpContent;
    responseReceived |= last;
    client
        .writeAndFlush(msg)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    owner.clientWriteFailed();
                  } else if (last) {
                    responseWritten = true;
                    finishIfDone();
                  } else {
                    origin.channel().read();
                  }
                });
  }

  /**
   * The destination connection ended. Fine once the whole response was received (a response
   * delimited by close ends that way); otherwise the exchange failed.
   */
  boolean originEndedEarly() {
    originKeepAlive = false;
    return !responseReceived;
  }

  private void finishIfDone() {
    if (!responseWritten || finished) {
      return;
    }
    if (!requestRead) {
      // The destination answered before the whole request was read: neither side can be reused.
      finished = true;
      owner.exchangeDone(this, false, false);
    } else if (writesPending == 0) {
      finished = true;
      owner.exchangeDone(this, originKeepAlive, clientKeepAlive);
    }
  }
}
