package dev.sluice.gateway;

import dev.sluice.config.DetectionConfig;
import dev.sluice.config.ListenerConfig;
import dev.sluice.config.Mode;
import dev.sluice.config.Peer;
import dev.sluice.gateway.edge.LinkSettings;
import dev.sluice.gateway.forward.ForwardListener;
import dev.sluice.gateway.listener.Drain;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.ServerTls;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.meter.ControlReserve;
import dev.sluice.gateway.meter.MeterSettings;
import dev.sluice.gateway.reverse.ReverseListener;
import dev.sluice.gateway.scan.Detector;
import dev.sluice.gateway.tcp.TcpListener;
import dev.sluice.gateway.transfer.MaxTransfer;
import dev.sluice.time.WindowCalendar;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane of one node: a Netty server per configured listener, wired here in one place. Each
 * listener's pipeline is built by its mode's initializer ({@link ReverseListener}, {@link
 * TcpListener}, {@link ForwardListener}); they share one event loop group and the node's escrow,
 * evidence and halt switches.
 *
 * <p>Lifecycle: {@link #start} binds every listener or none (a failure closes what was bound and
 * says which listener and address failed); {@link #stopAccepting} closes the listening sockets;
 * {@link #drain} waits for open connections to finish until a deadline and then cuts them; {@link
 * #close} releases the event loops.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final GatewayContext gc;
  private final EventLoopGroup group;
  private final ChannelGroup servers = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Map<String, InetSocketAddress> bound = new LinkedHashMap<>();
  private volatile boolean allBound;
  private final ControlReserve controlReserve;

  private Gateway(GatewayContext gc) {
    this.gc = gc;
    this.group = gc.transport().newGroup(gc.ioThreads());
    this.controlReserve =
        new ControlReserve(
            gc.config().budgets().controlAllowanceBytes(),
            new WindowCalendar(gc.config().timeZone()));
  }

  /** Binds every listener of the configuration. */
  public static Gateway start(GatewayContext gc) throws GatewayStartException {
    Gateway g = new Gateway(gc);
    try {
      for (ListenerConfig l : gc.config().listeners()) {
        g.bind(l);
      }
    } catch (GatewayStartException | RuntimeException e) {
      g.close();
      throw e;
    }
    g.allBound = true;
    return g;
  }

  private void bind(ListenerConfig l) throws GatewayStartException {
    ListenerContext lc = listenerContext(l);
    ChannelInitializer<SocketChannel> init =
        switch (l.mode()) {
          case REVERSE -> new ReverseListener(lc, serverTls(l), clientTls(), edgeModel(l));
          case TCP -> new TcpListener(lc);
          case FORWARD ->
              new ForwardListener(lc, gc.config().zone(l.zone()), gc.resolver(), edgeModel(l));
        };
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(gc.transport().serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_RCVBUF, Transport.RECEIVE_BUFFER)
            .childOption(ChannelOption.RECVBUF_ALLOCATOR, Transport.readSizes())
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(new Tracked(connections, init));
    InetSocketAddress addr = new InetSocketAddress(l.bind().host(), l.bind().port());
    ChannelFuture f = b.bind(addr).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new GatewayStartException(
          "listener " + l.name() + ": cannot bind " + l.bind() + ": " + why(f.cause()), f.cause());
    }
    Channel ch = f.channel();
    servers.add(ch);
    InetSocketAddress actual = (InetSocketAddress) ch.localAddress();
    bound.put(l.name(), actual);
    log.info(
        "listener {} ({}, zone {}) on {} via {}",
        l.name(),
        l.mode().name().toLowerCase(java.util.Locale.ROOT),
        l.zone(),
        actual,
        gc.transport().name());
  }

  /** The link settings of a {@code peer: edge} listener; null for a direct one. */
  private LinkSettings edgeModel(ListenerConfig l) {
    if (l.peer() != Peer.EDGE) {
      return null;
    }
    return LinkSettings.of(
        Objects.requireNonNull(
            gc.codecModel(),
            "listener " + l.name() + " has peer: edge but no codec model was loaded"),
        gc.config().codec().flushWindow());
  }

  /** The reason of a bind failure, without the native call's prefix. */
  private static String why(Throwable t) {
    String m = t == null ? "unknown error" : String.valueOf(t.getMessage());
    return m.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
  }

  private ListenerContext listenerContext(ListenerConfig l) {
    MeterSettings m =
        new MeterSettings(
            gc.clock(),
            gc.halts().site(),
            gc.halts().zone(l.zone()),
            gc.ledgerHealthy(),
            gc.config().mode() == Mode.REPORT,
            gc.stats(),
            gc.stats().listener(l.name()),
            gc.escrow().account(gc.tree().controlPath()),
            controlReserve);
    return new ListenerContext(
        l,
        gc.tree(),
        gc.escrow(),
        m,
        gc.evidence(),
        gc.transport(),
        gc.clock(),
        MaxTransfer.of(gc.config().zone(l.zone()), gc.transfers()),
        detector(l));
  }

  /** The detection of {@code l}'s zone, with its index loaded at start. */
  private Detector detector(ListenerConfig l) {
    DetectionConfig d = gc.config().detection(l.zone());
    if (!d.enabled()) {
      return Detector.NONE;
    }
    return new Detector(
        d,
        d.index() == null ? null : gc.indexes().get(d.index()),
        gc.evidence(),
        l.name(),
        l.zone());
  }

  private static SslContext serverTls(ListenerConfig l) throws GatewayStartException {
    if (l.tls() == null) {
      return null;
    }
    try {
      return ServerTls.context(l.tls());
    } catch (SSLException e) {
      throw new GatewayStartException("listener " + l.name() + ": " + e.getMessage(), e);
    }
  }

  private SslContext clientTls;

  private SslContext clientTls() throws GatewayStartException {
    if (clientTls == null) {
      try {
        clientTls = SslContextBuilder.forClient().build();
      } catch (Exception e) {
        throw new GatewayStartException("cannot set up TLS to upstreams: " + e.getMessage(), e);
      }
    }
    return clientTls;
  }

  /** The bound address of each listener (with the real port when 0 was configured). */
  public Map<String, InetSocketAddress> addresses() {
    return Map.copyOf(bound);
  }

  public InetSocketAddress address(String listener) {
    return bound.get(listener);
  }

  /** True once every listener is bound, until the gateway stops accepting. */
  public boolean allBound() {
    return allBound;
  }

  /** Connections open right now. */
  public int openConnections() {
    return connections.size();
  }

  /** Closes the listening sockets; open connections go on. */
  public void stopAccepting() {
    allBound = false;
    servers.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /**
   * Waits until every open connection has closed or {@code deadline} has passed, then closes what
   * is left. Returns how many connections were cut.
   */
  public int drain(Duration deadline) {
    for (Channel ch : connections) {
      ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(Drain.INSTANCE));
    }
    var f = connections.newCloseFuture();
    if (!f.awaitUninterruptibly(deadline.toMillis())) {
      int cut = connections.size();
      log.warn("drain deadline {} passed; cutting {} connections", deadline, cut);
      connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      return cut;
    }
    return 0;
  }

  @Override
  public void close() {
    allBound = false;
    servers.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** Adds each accepted connection to the group used for drain and shutdown. */
  private static final class Tracked extends ChannelInitializer<SocketChannel> {
    private final ChannelGroup group;
    private final ChannelInitializer<SocketChannel> inner;

    Tracked(ChannelGroup group, ChannelInitializer<SocketChannel> inner) {
      this.group = group;
      this.inner = inner;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
      group.add(ch);
      ch.pipeline().addLast(inner);
    }
  }
}
