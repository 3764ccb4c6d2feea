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
import dev.sluice.net.HostPort;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * says which listener and address failed); {@link #reconfigure} applies a reloaded configuration in
 * place (see there); {@link #stopAccepting} closes the listening sockets; {@link #drain} waits for
 * open connections to finish until a deadline and then cuts them; {@link #close} releases the event
 * loops.
 *
 * <p>Each listening socket carries a <em>route</em>: the pipeline initializer new connections get
 * and the group of connections accepted through it. A reload swaps routes, never sockets it can
 * keep, so an unchanged listener refuses no connection during a reload.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final EventLoopGroup group;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ExecutorService drainer;
  private final AtomicInteger cutAtReload = new AtomicInteger();

  /** Guarded by this; replaced at each reload. */
  private Map<String, Socket> sockets = new LinkedHashMap<>();

  private volatile GatewayContext gc;
  private volatile ControlReserve controlReserve;
  private volatile boolean allBound;

  private Gateway(GatewayContext gc) {
    this.gc = gc;
    this.group = gc.transport().newGroup(gc.ioThreads());
    this.controlReserve = reserveOf(gc);
    this.drainer =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "sluice-reload-drain");
              t.setDaemon(true);
              return t;
            });
  }

  private static ControlReserve reserveOf(GatewayContext gc) {
    return new ControlReserve(
        gc.config().budgets().controlAllowanceBytes(), new WindowCalendar(gc.config().timeZone()));
  }

  /** Binds every listener of the configuration. */
  public static Gateway start(GatewayContext gc) throws GatewayStartException {
    Gateway g = new Gateway(gc);
    try {
      synchronized (g) {
        for (ListenerConfig l : gc.config().listeners()) {
          g.sockets.put(l.name(), g.bind(l, g.initializer(gc, g.controlReserve, l)));
        }
      }
    } catch (GatewayStartException | RuntimeException e) {
      g.close();
      throw e;
    }
    g.allBound = true;
    return g;
  }

  /**
   * Applies the configuration of {@code next} in place; all or nothing. First, without changing
   * anything in force, the pipelines of every listener are built and each listener whose bind
   * address no listening socket has yet is bound; a failure closes what was bound and throws,
   * leaving the running configuration in force. Then, at once:
   *
   * <ul>
   *   <li>a socket whose address a listener of {@code next} has (whatever its name) is kept: it
   *       refuses no connection, and the connections it accepts from now on get the new pipeline;
   *   <li>if that listener's configuration is unchanged, the connections open on it go on as they
   *       are; otherwise they are told to drain (finish the exchange in progress, then close) and
   *       are cut after {@code drain};
   *   <li>a socket no listener of {@code next} binds is closed, and its connections drain likewise.
   * </ul>
   *
   * Connections keep the listener settings (mode, limits, tree) they were accepted with; the escrow
   * accounts they pay follow the reload ({@code Escrow#retree}). Draining runs in the background;
   * the connections cut are logged and counted ({@link #cutAtReload()}).
   */
  public synchronized void reconfigure(GatewayContext next, Duration drain)
      throws GatewayStartException {
    ControlReserve reserve =
        next.config().budgets().controlAllowanceBytes()
                    == gc.config().budgets().controlAllowanceBytes()
                && next.config().timeZone().equals(gc.config().timeZone())
            ? controlReserve
            : reserveOf(next);
    Map<HostPort, Socket> byBind = new HashMap<>();
    for (Socket s : sockets.values()) {
      byBind.put(s.config.bind(), s);
    }
    Map<String, ChannelInitializer<SocketChannel>> inits = new LinkedHashMap<>();
    Map<String, Socket> fresh = new LinkedHashMap<>();
    try {
      for (ListenerConfig l : next.config().listeners()) {
        next.stats().ensureListener(l.name());
        inits.put(l.name(), initializer(next, reserve, l));
      }
      for (ListenerConfig l : next.config().listeners()) {
        if (!byBind.containsKey(l.bind())) {
          fresh.put(l.name(), bind(l, inits.get(l.name())));
        }
      }
    } catch (GatewayStartException | RuntimeException e) {
      for (Socket s : fresh.values()) {
        s.server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
      throw e;
    }
    Map<String, Socket> after = new LinkedHashMap<>();
    for (ListenerConfig l : next.config().listeners()) {
      Socket s = fresh.get(l.name());
      if (s == null) {
        s = byBind.remove(l.bind());
        Route was = s.route;
        boolean same = s.config.equals(l);
        s.route = new Route(inits.get(l.name()), same ? was.connections : newGroup());
        s.config = l;
        if (!same) {
          retire(was.connections, drain, "listener " + l.name() + " changed");
        }
      }
      after.put(l.name(), s);
    }
    for (Socket s : byBind.values()) {
      s.server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      log.info("listener {} removed; it no longer accepts on {}", s.config.name(), s.address);
      retire(s.route.connections, drain, "listener " + s.config.name() + " removed");
    }
    sockets = after;
    gc = next;
    controlReserve = reserve;
  }

  /** Drains {@code conns} in the background: told to finish, cut after {@code drain}. */
  private void retire(ChannelGroup conns, Duration drain, String why) {
    if (conns.isEmpty()) {
      return;
    }
    log.info("{}: {} connections drain (cut after {})", why, conns.size(), drain);
    for (Channel ch : conns) {
      ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(Drain.INSTANCE));
    }
    var closed = conns.newCloseFuture();
    drainer.execute(
        () -> {
          if (!closed.awaitUninterruptibly(drain.toMillis())) {
            int cut = conns.size();
            conns.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            cutAtReload.addAndGet(cut);
            log.warn("{}: drain deadline {} passed; cut {} connections", why, drain, cut);
          }
        });
  }

  /** The context the listeners were last built from. */
  public GatewayContext context() {
    return gc;
  }

  /** Connections cut because a reload removed or changed their listener, since start. */
  public int cutAtReload() {
    return cutAtReload.get();
  }

  private static ChannelGroup newGroup() {
    return new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  }

  private ChannelInitializer<SocketChannel> initializer(
      GatewayContext ctx, ControlReserve reserve, ListenerConfig l) throws GatewayStartException {
    ListenerContext lc = listenerContext(ctx, reserve, l);
    return switch (l.mode()) {
      case REVERSE -> new ReverseListener(lc, serverTls(l), clientTls(), edgeModel(ctx, l));
      case TCP -> new TcpListener(lc);
      case FORWARD ->
          new ForwardListener(lc, ctx.config().zone(l.zone()), ctx.resolver(), edgeModel(ctx, l));
    };
  }

  private Socket bind(ListenerConfig l, ChannelInitializer<SocketChannel> init)
      throws GatewayStartException {
    Socket socket = new Socket(l, new Route(init, newGroup()));
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
            .childHandler(new Tracked(connections, socket));
    InetSocketAddress addr = new InetSocketAddress(l.bind().host(), l.bind().port());
    ChannelFuture f = b.bind(addr).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new GatewayStartException(
          "listener " + l.name() + ": cannot bind " + l.bind() + ": " + why(f.cause()), f.cause());
    }
    socket.server = f.channel();
    socket.address = (InetSocketAddress) f.channel().localAddress();
    // Pinned to the port it got, as a reload's configuration names it (NodeRunner.pin).
    socket.config = l.withPort(socket.address.getPort());
    log.info(
        "listener {} ({}, zone {}) on {} via {}",
        l.name(),
        l.mode().name().toLowerCase(java.util.Locale.ROOT),
        l.zone(),
        socket.address,
        gc.transport().name());
    return socket;
  }

  /** The link settings of a {@code peer: edge} listener; null for a direct one. */
  private static LinkSettings edgeModel(GatewayContext ctx, ListenerConfig l) {
    if (l.peer() != Peer.EDGE) {
      return null;
    }
    return LinkSettings.of(
        Objects.requireNonNull(
            ctx.codecModel(),
            "listener " + l.name() + " has peer: edge but no codec model was loaded"),
        ctx.config().codec().flushWindow());
  }

  /** The reason of a bind failure, without the native call's prefix. */
  private static String why(Throwable t) {
    String m = t == null ? "unknown error" : String.valueOf(t.getMessage());
    return m.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
  }

  private static ListenerContext listenerContext(
      GatewayContext ctx, ControlReserve reserve, ListenerConfig l) {
    MeterSettings m =
        new MeterSettings(
            ctx.clock(),
            ctx.halts().site(),
            ctx.halts().zone(l.zone()),
            ctx.ledgerHealthy(),
            ctx.config().mode() == Mode.REPORT,
            ctx.stats(),
            ctx.stats().listener(l.name()),
            ctx.escrow().account(ctx.tree().controlPath()),
            reserve);
    return new ListenerContext(
        l,
        ctx.tree(),
        ctx.escrow(),
        m,
        ctx.evidence(),
        ctx.transport(),
        ctx.clock(),
        MaxTransfer.of(ctx.config().zone(l.zone()), ctx.transfers()),
        detector(ctx, l));
  }

  /** The detection of {@code l}'s zone, with its index loaded at start (or at the reload). */
  private static Detector detector(GatewayContext ctx, ListenerConfig l) {
    DetectionConfig d = ctx.config().detection(l.zone());
    if (!d.enabled()) {
      return Detector.NONE;
    }
    return new Detector(
        d,
        d.index() == null ? null : ctx.indexes().get(d.index()),
        ctx.evidence(),
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
  public synchronized Map<String, InetSocketAddress> addresses() {
    Map<String, InetSocketAddress> out = new LinkedHashMap<>();
    sockets.forEach((name, s) -> out.put(name, s.address));
    return out;
  }

  public synchronized InetSocketAddress address(String listener) {
    Socket s = sockets.get(listener);
    return s == null ? null : s.address;
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
    closeServers();
  }

  private synchronized void closeServers() {
    for (Socket s : sockets.values()) {
      if (s.server != null) {
        s.server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Waits until every open connection has closed or {@code deadline} has passed, then closes what
   * is left. Returns how many connections were cut.
   */
  public int drain(Duration deadline) {
    log.info(
        "draining {} open connections (cut after {})",
        connections.size(),
        dev.sluice.config.Durations.format(deadline));
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
    drainer.shutdownNow();
    closeServers();
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** What a socket gives the connections it accepts: their pipeline and their group. */
  private record Route(ChannelInitializer<SocketChannel> init, ChannelGroup connections) {}

  /**
   * One listening socket; its configuration (with the port it is bound to, also when 0 was
   * configured) and its route change at a reload that keeps it.
   */
  private static final class Socket {
    volatile ListenerConfig config;
    volatile Route route;
    Channel server;
    InetSocketAddress address;

    Socket(ListenerConfig config, Route route) {
      this.config = config;
      this.route = route;
    }
  }

  /**
   * Gives each accepted connection the route of its socket at that moment, and adds it to the group
   * used for drain and shutdown.
   */
  private static final class Tracked extends ChannelInitializer<SocketChannel> {
    private final ChannelGroup all;
    private final Socket socket;

    Tracked(ChannelGroup all, Socket socket) {
      this.all = all;
      this.socket = socket;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
      Route r = socket.route;
      all.add(ch);
      r.connections().add(ch);
      ch.pipeline().addLast(r.init());
    }
  }
}
