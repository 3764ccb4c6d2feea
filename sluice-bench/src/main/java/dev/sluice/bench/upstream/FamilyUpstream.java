package dev.sluice.bench.upstream;

import dev.sluice.codec.sample.HeldOut;
import dev.sluice.codec.sample.Tokenizer;
import dev.sluice.demo.Pacer;
import dev.sluice.time.Clock;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A paced upstream for live benchmarks that answers in every stream family at its real endpoint
 * ({@link FamilyRouter}): held-out answers, cut by the o200k tokenizer, in the exact bytes and head
 * each server sends, one HTTP chunk per event, at a fixed rate per stream (default {@value
 * #DEFAULT_EVENTS_PER_SECOND} events a second, a model's pace). Each response names its stream in
 * {@code X-Sluice-Stream}; {@code GET /sluice/sends/ID} returns when each of its events was handed
 * to the socket ({@link SendLog}), so a client can measure the latency each event gains on the way.
 * One event-loop thread, loopback. One request at a time per connection (no pipelining).
 *
 * <p>{@code java -cp benchmarks.jar dev.sluice.bench.upstream.FamilyUpstream PORT CORPUS_DIR
 * [EVENTS_PER_SECOND] [alpaca-eval|arena-hard] [READY_FILE]}: runs until killed. PORT 0 binds any
 * free port; READY_FILE, once bound, gets {@code {"pid":N,"listen":"127.0.0.1:PORT"}} (written
 * whole, by a rename). The answers are the held-out ones of {@link HeldOut}'s split (AlpacaEval
 * answers are non-commercial: benchmark use only).
 */
public final class FamilyUpstream implements AutoCloseable {
  public static final double DEFAULT_EVENTS_PER_SECOND = 50;

  /**
   * @param answers the answers, picked by each request's hash; not empty
   * @param clock the time of heads, send logs and pacing
   * @param pacers a new pacer for each stream
   * @param tokenizer what cuts the answers into events
   */
  public record Options(
      List<String> answers, Clock clock, Supplier<Pacer> pacers, Tokenizer tokenizer) {
    public Options {
      answers = List.copyOf(answers);
      if (answers.isEmpty()) {
        throw new IllegalArgumentException("answers must not be empty");
      }
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(pacers, "pacers");
      Objects.requireNonNull(tokenizer, "tokenizer");
    }

    /** Streams at {@code eventsPerSecond} (0: as fast as the socket takes them), o200k tokens. */
    public static Options paced(List<String> answers, Clock clock, double eventsPerSecond) {
      if (eventsPerSecond < 0 || Double.isNaN(eventsPerSecond)) {
        throw new IllegalArgumentException(
            "events per second must be 0 or more, got " + eventsPerSecond);
      }
      Supplier<Pacer> pacers =
          eventsPerSecond == 0 ? Pacer::immediate : () -> new RatePacer(clock, eventsPerSecond);
      return new Options(answers, clock, pacers, Tokenizer.o200k());
    }
  }

  private final EventLoopGroup group;
  private final Channel server;
  private final ChannelGroup connections;

  private FamilyUpstream(EventLoopGroup group, Channel server, ChannelGroup connections) {
    this.group = group;
    this.server = server;
    this.connections = connections;
  }

  /** Binds {@code host:port} (0 for any free port) and starts serving. */
  public static FamilyUpstream start(String host, int port, Options options) {
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("sluice-family-upstream", true), NioIoHandler.newFactory());
    ChannelGroup connections = new DefaultChannelGroup("family-upstream", group.next());
    SendLog log = new SendLog(options.clock());
    ChannelFuture bound =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    connections.add(ch);
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpServerKeepAliveHandler())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new FamilyHandler(options, log));
                  }
                })
            .bind(host, port)
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      throw new UncheckedIOException(
          new IOException("family upstream cannot bind " + host + ":" + port, bound.cause()));
    }
    return new FamilyUpstream(group, bound.channel(), connections);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** {@code http://HOST:PORT}, the base of every family's endpoint. */
  public String baseUrl() {
    InetSocketAddress a = address();
    String host = a.getAddress().getHostAddress();
    return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** {@code {"pid":N,"listen":"HOST:PORT"}} into {@code file}, whole: a temporary file renamed. */
  private static void writeReady(Path file, InetSocketAddress bound) throws IOException {
    String json =
        "{\"pid\":"
            + ProcessHandle.current().pid()
            + ",\"listen\":\""
            + bound.getAddress().getHostAddress()
            + ":"
            + bound.getPort()
            + "\"}\n";
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, json, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length < 2 || args.length > 5) {
      System.err.println(
          "usage: FamilyUpstream PORT CORPUS_DIR [EVENTS_PER_SECOND=50] [alpaca-eval|arena-hard]"
              + " [READY_FILE]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    double rate = args.length > 2 ? Double.parseDouble(args[2]) : DEFAULT_EVENTS_PER_SECOND;
    boolean alpaca = args.length > 3 && args[3].equals("alpaca-eval");
    Path file = Path.of(args[1], alpaca ? HeldOut.ALPACA_EVAL : HeldOut.ARENA_HARD);
    List<HeldOut.Answer> all = HeldOut.read(file);
    Set<String> models = alpaca ? HeldOut.heldOutModels(all, HeldOut.HELD_OUT_MODELS) : Set.of();
    List<String> answers = HeldOut.heldOut(all, models).stream().map(HeldOut.Answer::text).toList();
    FamilyUpstream up = start("127.0.0.1", port, Options.paced(answers, Clock.system(), rate));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  up.close();
                  stopped.countDown();
                }));
    System.out.println(
        "family upstream on "
            + up.baseUrl()
            + ": "
            + answers.size()
            + " held-out answers from "
            + file
            + ", "
            + rate
            + " events a second per stream");
    System.out.flush();
    if (args.length > 4) {
      writeReady(Path.of(args[4]), up.address());
    }
    stopped.await();
  }
}
