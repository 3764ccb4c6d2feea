package dev.sluice.bench.soak;

import dev.sluice.bench.soak.Exchanges.Outcome;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The mixed traffic of {@code bench/soak.sh} against one site (one gateway node, or several sharing
 * a budget), with its own origin and sink. Two commands:
 *
 * <pre>
 * java -cp benchmarks.jar dev.sluice.bench.soak.SoakTraffic run --seconds S --seed N
 *     --out TALLY --stats STATS --workers W --pace-ms P --origin-port P --sink-port P
 *     --reverse H:P,.. --forward H:P,.. --tcp H:P,..
 *     --reverse-tenants a,b --forward-tenants c,d --tcp-tenant e
 * java -cp benchmarks.jar dev.sluice.bench.soak.SoakTraffic slow --node H:P --tenant T
 *     --bytes N --chunk B --delay-ms D --out TALLY
 * </pre>
 *
 * {@code run}: W workers, each with its own {@link Random} seeded from N and its index, loop until
 * S seconds have passed: pick a kind (reverse known-length 30%, reverse SSE 20%, forward POST 15%,
 * CONNECT 15%, tcp 20%), a node of that listener list, a tenant of that kind and a size, run the
 * exchange ({@link Exchanges}), pause P ms. A refused connection (a node down) is an outcome like
 * any other. At the end it waits (bounded) for the origin and sink to finish reading, then writes
 * TALLY ({@link Tally}: bytes delivered per tenant; also every 5 s while running) and STATS ({@code
 * KIND<TAB>OUTCOME<TAB>COUNT} lines). {@code slow}: one known-length response read B bytes at a
 * time with a D ms pause after each, counted into TALLY.
 */
public final class SoakTraffic {
  private static final Clock CLOCK = Clock.system();

  private SoakTraffic() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = options(args);
    if (args.length > 0 && args[0].equals("slow")) {
      slow(o);
    } else if (args.length > 0 && args[0].equals("run")) {
      run(o);
    } else {
      throw new IllegalArgumentException("usage: SoakTraffic run|slow --option value ...");
    }
  }

  private static void slow(Map<String, String> o) throws IOException {
    Tally tally = new Tally();
    Exchanges ex = new Exchanges(tally, 0, 0);
    long n = Long.parseLong(o.get("bytes"));
    Outcome outcome;
    try (Socket s = Exchanges.connect(address(o.get("node")), 4096)) {
      Exchanges.write(
          s,
          "GET /len/"
              + n
              + " HTTP/1.1\r\nHost: soak\r\nX-Tenant: "
              + o.get("tenant")
              + "\r\nConnection: close\r\n\r\n");
      outcome =
          ex.readResponse(
              s.getInputStream(),
              o.get("tenant"),
              n,
              Integer.parseInt(o.get("chunk")),
              Long.parseLong(o.get("delay-ms")));
    } catch (IOException e) {
      outcome = Outcome.FAILED;
    }
    tally.writeTo(Path.of(o.get("out")));
    System.out.println("slow reader: " + outcome + ", " + tally.snapshot());
  }

  private static void run(Map<String, String> o) throws Exception {
    Tally tally = new Tally();
    ExecutorService pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "soak");
              t.setDaemon(true);
              return t;
            });
    int originPort = Integer.parseInt(o.get("origin-port"));
    int sinkPort = Integer.parseInt(o.get("sink-port"));
    SoakOrigin origin = new SoakOrigin(originPort, tally, pool);
    SoakSink sink = new SoakSink(sinkPort, tally, pool);
    origin.start();
    sink.start();
    Path out = Path.of(o.get("out"));
    Plan plan =
        new Plan(
            addresses(o.get("reverse")),
            addresses(o.get("forward")),
            addresses(o.get("tcp")),
            List.of(o.get("reverse-tenants").split(",")),
            List.of(o.get("forward-tenants").split(",")),
            o.get("tcp-tenant"));
    Exchanges ex = new Exchanges(tally, originPort, sinkPort);
    Map<String, LongAdder> stats = new ConcurrentHashMap<>();
    long seed = Long.parseLong(o.get("seed"));
    long pace = Long.parseLong(o.getOrDefault("pace-ms", "10"));
    long end = CLOCK.nanos() + TimeUnit.SECONDS.toNanos(Long.parseLong(o.get("seconds")));
    int workers = Integer.parseInt(o.getOrDefault("workers", "4"));
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      Random rnd = new Random(seed * 1_000_003L + i);
      Thread t = new Thread(() -> work(rnd, plan, ex, stats, pace, end), "soak-worker-" + i);
      t.start();
      threads.add(t);
    }
    Thread.sleep(1); // first tally below
    while (CLOCK.nanos() < end) {
      tally.writeTo(out);
      Thread.sleep(
          Math.max(1, Math.min(5_000, TimeUnit.NANOSECONDS.toMillis(end - CLOCK.nanos()))));
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    long drainEnd = CLOCK.nanos() + TimeUnit.SECONDS.toNanos(10);
    while ((origin.openConnections() > 0 || sink.openConnections() > 0)
        && CLOCK.nanos() < drainEnd) {
      Thread.sleep(50);
    }
    origin.close();
    sink.close();
    tally.writeTo(out);
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(stats).forEach((k, v) -> sb.append(k).append('\t').append(v.sum()).append('\n'));
    Files.writeString(Path.of(o.get("stats")), sb);
    System.out.print(sb);
    System.out.println("delivered: " + tally.snapshot());
  }

  /** Where each kind goes and as which tenants. */
  private record Plan(
      List<InetSocketAddress> reverse,
      List<InetSocketAddress> forward,
      List<InetSocketAddress> tcp,
      List<String> reverseTenants,
      List<String> forwardTenants,
      String tcpTenant) {}

  private static void work(
      Random rnd, Plan p, Exchanges ex, Map<String, LongAdder> stats, long pace, long end) {
    while (CLOCK.nanos() < end) {
      int k = rnd.nextInt(100);
      String kind;
      Outcome outcome;
      if (k < 30) {
        kind = "reverse-length";
        outcome =
            ex.reverse(
                pick(rnd, p.reverse()),
                pick(rnd, p.reverseTenants()),
                false,
                size(rnd, 1 << 10, 256 << 10));
      } else if (k < 50) {
        kind = "reverse-sse";
        outcome =
            ex.reverse(
                pick(rnd, p.reverse()),
                pick(rnd, p.reverseTenants()),
                true,
                size(rnd, 8 << 10, 128 << 10));
      } else if (k < 65) {
        kind = "forward-post";
        outcome =
            ex.forwardPost(
                pick(rnd, p.forward()),
                pick(rnd, p.forwardTenants()),
                size(rnd, 1 << 10, 128 << 10));
      } else if (k < 80) {
        kind = "forward-connect";
        outcome =
            ex.connectTunnel(
                pick(rnd, p.forward()),
                pick(rnd, p.forwardTenants()),
                size(rnd, 16 << 10, 512 << 10));
      } else {
        kind = "tcp";
        outcome = ex.tcp(pick(rnd, p.tcp()), p.tcpTenant(), size(rnd, 64 << 10, 2 << 20));
      }
      stats
          .computeIfAbsent(
              kind + "\t" + outcome.name().toLowerCase(java.util.Locale.ROOT), x -> new LongAdder())
          .increment();
      try {
        Thread.sleep(outcome == Outcome.FAILED ? Math.max(pace, 100) : pace);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static <T> T pick(Random rnd, List<T> from) {
    return from.get(rnd.nextInt(from.size()));
  }

  /** Log-uniform in [min, max]: many small exchanges, some large. */
  private static long size(Random rnd, long min, long max) {
    double f = Math.log(min) + rnd.nextDouble() * (Math.log(max) - Math.log(min));
    return Math.max(min, Math.min(max, (long) Math.exp(f)));
  }

  private static List<InetSocketAddress> addresses(String list) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String a : list.split(",")) {
      out.add(address(a));
    }
    return out;
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new TreeMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option, got " + args[i]);
      }
      o.put(args[i].substring(2), args[i + 1]);
    }
    return o;
  }
}
