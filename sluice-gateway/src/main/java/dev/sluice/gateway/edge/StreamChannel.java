package dev.sluice.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelId;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.DefaultChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.VoidChannelPromise;
import io.netty.util.DefaultAttributeMap;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * One stream of a multiplexed edge link, as a channel of its own on the gateway (modelled on
 * Netty's HTTP/2 child channels): the listener's normal pipeline runs on it unchanged, as on a
 * client's socket. It lives on its link's event loop and is never registered with a selector.
 *
 * <ul>
 *   <li>Reading: the client's bytes the link delivers ({@link #deliver}) wait in a queue until the
 *       pipeline reads (auto-read, or {@code read()} on demand); the link grants the edge new
 *       upward credit for what the pipeline took. The edge's END closes the channel once the queue
 *       was read, as a client's FIN closes a socket; its RESET closes it at once.
 *   <li>Writing: writes wait in the channel until flushed, then go to the link's {@link Output},
 *       which codes them into shared frames and completes their promises once the frame carrying
 *       their last byte was paid and written. Writability is the link's: off while the stream holds
 *       too much, waits for escrow, has no credit or the link's socket is full.
 *   <li>Close: ends the stream's downward half with END once what was flushed has left (RESET if
 *       the stream was refused mid-response), as a socket's close sends FIN; the channel becomes
 *       inactive when that END or RESET was paid and written ({@link #ended}), so the connection
 *       record written at inactive counts it.
 * </ul>
 */
public final class StreamChannel extends DefaultAttributeMap implements Channel {

  /** What the link does for its streams; called on the event loop. */
  public interface Output {
    /** A flushed write of {@code buf}; the promise completes once its bytes left, paid. */
    void write(StreamChannel s, ByteBuf buf, ChannelPromise promise);

    /** The writes before this were flushed. */
    void flush(StreamChannel s);

    /** The pipeline took {@code n} bytes: the edge may send that many more. */
    void consumed(StreamChannel s, int n);

    /** The channel closed (its writes not yet flushed were dropped). */
    void closed(StreamChannel s);
  }

  private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

  private final ChannelId id = DefaultChannelId.newInstance();
  private final Channel link;
  private final int stream;
  private final Output output;
  private final SocketAddress remote;
  private final ChannelConfig config;
  private final ChannelPipeline pipeline;
  private final ChannelPromise closePromise;
  private final StreamUnsafe unsafe = new StreamUnsafe();
  private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
  private final ArrayDeque<Object[]> unflushed = new ArrayDeque<>();
  private boolean registered;
  private boolean open = true;
  private boolean readPending;
  private boolean inputEnded;
  private boolean writable = true;
  private boolean delivering;
  private boolean inactive;

  /**
   * @param link the link's channel (this channel's parent and event loop)
   * @param stream the stream id
   * @param remote the address this channel reports as its peer (the edge's)
   */
  public StreamChannel(Channel link, int stream, Output output, SocketAddress remote) {
    this.link = link;
    this.stream = stream;
    this.output = output;
    this.remote = remote;
    this.config = new DefaultChannelConfig(this);
    this.config.setAutoRead(false);
    this.pipeline = new DefaultChannelPipeline(this) {};
    this.closePromise = pipeline.newPromise();
  }

  /** The stream id on the link. */
  public int stream() {
    return stream;
  }

  /** Registers the channel with its link's event loop and makes it active. */
  public ChannelFuture register() {
    ChannelPromise p = newPromise();
    unsafe.register(link.eventLoop(), p);
    return p;
  }

  // ---- from the link ----

  /** Client bytes for the pipeline (ownership passes here). */
  public void deliver(ByteBuf buf) {
    if (!open) {
      buf.release();
      return;
    }
    inbound.add(buf);
    if (readPending) {
      readInbound();
    }
  }

  /** The edge ended the stream's upward half: close once everything queued was read. */
  public void inputEnded() {
    inputEnded = true;
    if (inbound.isEmpty() && open) {
      unsafe.close(unsafe.voidPromise());
    }
  }

  /** The link failed: close now, dropping what was queued; nothing more will be written. */
  public void abort() {
    ByteBuf b;
    while ((b = inbound.poll()) != null) {
      b.release();
    }
    if (open) {
      unsafe.close(unsafe.voidPromise());
    }
    ended();
  }

  /** Closes the channel (as the pipeline's close does); it becomes inactive at {@link #ended}. */
  public void closeNow() {
    if (open) {
      unsafe.close(unsafe.voidPromise());
    }
  }

  /**
   * The stream's downward half ended (its END or RESET was paid and written) or the link failed:
   * the closed channel becomes inactive now, so its connection record, written at inactive,
   * includes the END's bytes.
   */
  public void ended() {
    if (open || inactive) {
      return;
    }
    inactive = true;
    closePromise.trySuccess();
    if (registered) {
      pipeline.fireChannelInactive();
      registered = false;
      pipeline.fireChannelUnregistered();
    }
  }

  /** Sets writability (the link's decision) and tells the pipeline when it changes. */
  public void writable(boolean w) {
    if (writable != w) {
      writable = w;
      pipeline.fireChannelWritabilityChanged();
    }
  }

  private void readInbound() {
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      boolean any = false;
      ByteBuf b;
      while (readPending && (b = inbound.poll()) != null) {
        int n = b.readableBytes();
        any = true;
        pipeline.fireChannelRead(b);
        output.consumed(this, n);
        if (!config.isAutoRead()) {
          readPending = false;
        }
      }
      if (any) {
        pipeline.fireChannelReadComplete();
      }
      if (inbound.isEmpty() && inputEnded && open) {
        unsafe.close(unsafe.voidPromise());
      }
    } finally {
      delivering = false;
    }
  }

  // ---- Channel ----

  @Override
  public ChannelId id() {
    return id;
  }

  @Override
  public EventLoop eventLoop() {
    return link.eventLoop();
  }

  @Override
  public Channel parent() {
    return link;
  }

  @Override
  public ChannelConfig config() {
    return config;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isRegistered() {
    return registered;
  }

  @Override
  public boolean isActive() {
    return open && registered;
  }

  /** True once closed and the stream's END or RESET left (or the link failed). */
  boolean inactive() {
    return inactive;
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  @Override
  public SocketAddress localAddress() {
    return link.localAddress();
  }

  @Override
  public SocketAddress remoteAddress() {
    return remote;
  }

  @Override
  public ChannelFuture closeFuture() {
    return closePromise;
  }

  @Override
  public boolean isWritable() {
    return open && writable;
  }

  @Override
  public long bytesBeforeUnwritable() {
    return writable ? 1 : 0;
  }

  @Override
  public long bytesBeforeWritable() {
    return writable ? 0 : 1;
  }

  @Override
  public Unsafe unsafe() {
    return unsafe;
  }

  @Override
  public ChannelPipeline pipeline() {
    return pipeline;
  }

  @Override
  public ByteBufAllocator alloc() {
    return config.getAllocator();
  }

  @Override
  public int compareTo(Channel o) {
    return id.compareTo(o.id());
  }

  @Override
  public String toString() {
    return "[stream " + stream + " of " + link + "]";
  }

  private final class StreamUnsafe implements Unsafe {
    private final VoidChannelPromise voidPromise =
        new VoidChannelPromise(StreamChannel.this, false);

    @Override
    @SuppressWarnings("deprecation") // the interface still declares it; nothing here reads a socket
    public RecvByteBufAllocator.Handle recvBufAllocHandle() {
      return config.getRecvByteBufAllocator().newHandle();
    }

    @Override
    public SocketAddress localAddress() {
      return StreamChannel.this.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
      return remote;
    }

    @Override
    public void register(EventLoop loop, ChannelPromise promise) {
      if (registered) {
        promise.tryFailure(new IllegalStateException("registered already"));
        return;
      }
      registered = true;
      promise.trySuccess();
      pipeline.fireChannelRegistered();
      if (open) {
        pipeline.fireChannelActive();
        if (config.isAutoRead()) {
          beginRead();
        }
      }
    }

    @Override
    public void bind(SocketAddress local, ChannelPromise promise) {
      promise.tryFailure(new UnsupportedOperationException("a stream cannot bind"));
    }

    @Override
    public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
      promise.tryFailure(new UnsupportedOperationException("a stream cannot connect"));
    }

    @Override
    public void disconnect(ChannelPromise promise) {
      close(promise);
    }

    @Override
    public void close(ChannelPromise promise) {
      if (!open) {
        if (promise != voidPromise) {
          closePromise.addListener(f -> promise.trySuccess());
        }
        return;
      }
      open = false;
      Object[] w;
      while ((w = unflushed.poll()) != null) {
        ReferenceCountUtil.release(w[0]);
        ((ChannelPromise) w[1]).tryFailure(new ClosedChannelException());
      }
      ByteBuf b;
      while ((b = inbound.poll()) != null) {
        b.release();
      }
      if (promise != voidPromise) {
        promise.trySuccess();
      }
      output.closed(StreamChannel.this); // inactive once the link wrote its END or RESET
    }

    @Override
    public void closeForcibly() {
      close(voidPromise);
    }

    @Override
    public void deregister(ChannelPromise promise) {
      close(promise);
    }

    @Override
    public void beginRead() {
      if (!open) {
        return;
      }
      readPending = true;
      readInbound();
    }

    @Override
    public void write(Object msg, ChannelPromise promise) {
      if (!open) {
        ReferenceCountUtil.release(msg);
        promise.tryFailure(new ClosedChannelException());
        return;
      }
      if (!(msg instanceof ByteBuf)) {
        ReferenceCountUtil.release(msg);
        promise.tryFailure(new IllegalStateException("a stream carries bytes, got " + msg));
        return;
      }
      unflushed.add(new Object[] {msg, promise});
    }

    @Override
    public void flush() {
      if (!open) {
        return;
      }
      Object[] w;
      while ((w = unflushed.poll()) != null) {
        output.write(StreamChannel.this, (ByteBuf) w[0], (ChannelPromise) w[1]);
      }
      output.flush(StreamChannel.this);
    }

    @Override
    public ChannelPromise voidPromise() {
      return voidPromise;
    }

    @Override
    public ChannelOutboundBuffer outboundBuffer() {
      return null;
    }
  }
}
