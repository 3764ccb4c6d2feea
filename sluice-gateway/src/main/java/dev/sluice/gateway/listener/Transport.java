package dev.sluice.gateway.listener;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The socket transport: Linux epoll when the native library loads, else Java NIO. Chosen once. */
public record Transport(
    String name,
    IoHandlerFactory ioHandlers,
    Class<? extends ServerChannel> serverChannel,
    Class<? extends SocketChannel> socketChannel) {

  /** The best transport on this machine. */
  public static Transport best() {
    if (Epoll.isAvailable()) {
      return new Transport(
          "epoll",
          EpollIoHandler.newFactory(),
          EpollServerSocketChannel.class,
          EpollSocketChannel.class);
    }
    return nio();
  }

  public static Transport nio() {
    return new Transport(
        "nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  /** Why epoll is not used, or null when it is available. */
  public static Throwable epollUnavailability() {
    return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
  }

  public EventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(threads, ioHandlers);
  }

  /**
   * The socket receive buffer of every connection the gateway accepts or opens. Fixed, not left to
   * the kernel's autotuning (up to {@code tcp_rmem} max, often 32 MiB): when a peer half-closes,
   * the transport reads everything buffered at once, and what it reads may have to wait in an
   * {@code EgressMeter} for escrow. A fixed buffer bounds that, per connection.
   */
  public static final int RECEIVE_BUFFER = 1 << 20;

  /**
   * How much one read takes: adaptive between 2 KiB and 256 KiB. Bulk transfers read in large
   * pieces (four times Netty's default maximum: a quarter of the syscalls per GiB); small requests
   * stay small.
   */
  public static io.netty.channel.RecvByteBufAllocator readSizes() {
    return new io.netty.channel.AdaptiveRecvByteBufAllocator(2048, 16 * 1024, 256 * 1024);
  }
}
