package dev.sluice.gateway.reverse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * Netty's {@code HttpServerCodec} (request decoder, response encoder that knows which responses
 * answer {@code HEAD}) with one more rule: a header section with obsolete line folding (obs-fold, a
 * header line starting with SP or HT, RFC 9112 §5.2) is refused. Netty's decoder joins such a line
 * onto the previous header's value, so a folded {@code Transfer-Encoding} or any other field would
 * reach the upstream in a form a differently-parsing server could read otherwise; RFC 9112 lets a
 * server reject it with 400, which is what a gateway that must never forward ambiguous framing
 * does.
 *
 * <p>The decoder looks at every byte of each message's head before Netty parses it (bodies are not
 * scanned) and, on a fold, discards the rest of the connection's input and emits a request whose
 * decoder result is a failure: {@link RequestGuard} turns it into a 400 like every other malformed
 * request. {@code HttpServerCodec} is final, hence this small copy of its HEAD bookkeeping.
 */
final class StrictServerCodec
    extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {

  StrictServerCodec(HttpDecoderConfig config) {
    Queue<HttpMethod> methods = new ArrayDeque<>();
    init(new Decoder(config, methods), new Encoder(methods));
  }

  private static final class Decoder extends HttpRequestDecoder {
    private final Queue<HttpMethod> methods;
    private final FoldScanner heads = new FoldScanner();
    private boolean refused;

    Decoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
      super(config);
      this.methods = methods;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
        throws Exception {
      if (refused) {
        in.skipBytes(in.readableBytes());
        return;
      }
      if (heads.foldIn(in)) {
        refused = true;
        in.skipBytes(in.readableBytes());
        FullHttpRequest bad =
            new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request", Unpooled.EMPTY_BUFFER);
        bad.setDecoderResult(
            DecoderResult.failure(
                new IllegalArgumentException(
                    "obsolete line folding (a header line starting with a space or tab)")));
        methods.add(HttpMethod.GET);
        out.add(bad);
        return;
      }
      int from = in.readerIndex();
      int before = out.size();
      super.decode(ctx, in, out);
      heads.consumed(in.readerIndex() - from);
      for (int i = before; i < out.size(); i++) {
        Object o = out.get(i);
        if (o instanceof HttpRequest r) {
          methods.add(r.method());
        }
        if (o instanceof LastHttpContent) {
          heads.nextMessage();
        }
      }
    }
  }

  private static final class Encoder extends HttpResponseEncoder {
    private final Queue<HttpMethod> methods;

    Encoder(Queue<HttpMethod> methods) {
      this.methods = methods;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }

  /**
   * Finds a line starting with SP or HT in a message head (after the leading empty lines the
   * decoder skips, up to the empty line that ends the head), across reads. Bytes after the head are
   * the body and are not looked at; {@link #nextMessage} starts over at the next message.
   */
  static final class FoldScanner {
    private int scanned; // bytes after the reader index already looked at
    private boolean inHead = true;
    private boolean started;
    private boolean afterLf;

    /** Looks at the head bytes not seen yet; true if one of its lines is folded. */
    boolean foldIn(ByteBuf in) {
      int end = in.writerIndex();
      for (int i = in.readerIndex() + scanned; inHead && i < end; i++) {
        byte b = in.getByte(i);
        scanned++;
        if (!started) {
          if (b == '\r' || b == '\n') {
            continue;
          }
          started = true;
        }
        if (afterLf && (b == ' ' || b == '\t')) {
          return true;
        }
        if (b == '\n') {
          if (afterLf) {
            inHead = false; // the empty line: the head is complete
          }
          afterLf = true;
        } else if (b != '\r') {
          afterLf = false;
        }
      }
      return false;
    }

    /** The decoder consumed {@code n} bytes from the reader index. */
    void consumed(int n) {
      scanned = Math.max(0, scanned - n);
    }

    /** A message ended; the bytes at the reader index start the next one. */
    void nextMessage() {
      scanned = 0;
      inHead = true;
      started = false;
      afterLf = false;
    }
  }
}
