package dev.sluice.bench.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.bench.live.PairedLoad.Plan;
import dev.sluice.bench.live.PairedLoad.Targets;
import dev.sluice.codec.sample.Family;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The client of {@code bench/codec-live.sh}: against a running {@code sluice run} (a {@code peer:
 * edge} listener {@code edge} and a direct listener {@code direct} in front of a family upstream)
 * and a {@code sluice edge} in front of {@code edge}, runs one {@link LiveCase} per family and
 * concurrency, in that order, after a warm-up (one answer on 4 pairs of every family at once), and
 * writes the Markdown tables of {@link LiveReport}. Exits 1 if any response failed or was not
 * exactly the upstream's bytes.
 *
 * <pre>
 * java -cp benchmarks.jar dev.sluice.bench.live.LiveBench --gateway-ready FILE --edge-ready FILE
 *     --upstream-ready FILE [--families openai-chat,anthropic] [--streams 1,24] [--seconds 30]
 *     [--ramp-ms 1000] [--max-requests 1000] [--warmup true] [--seed 1] [--out live.md] [--note LINE]...
 * </pre>
 */
public final class LiveBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LiveBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    List<String> notes = new ArrayList<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--note")) {
        notes.add(args[i + 1]);
      } else {
        o.put(args[i].substring(2), args[i + 1]);
      }
    }
    JsonNode gateway = JSON.readTree(Path.of(need(o, "gateway-ready")).toFile());
    JsonNode edge = JSON.readTree(Path.of(need(o, "edge-ready")).toFile());
    JsonNode upstream = JSON.readTree(Path.of(need(o, "upstream-ready")).toFile());
    Targets targets =
        new Targets(
            address(edge.path("listen").asText()),
            address(gateway.path("listeners").path("direct").asText()),
            "http://" + upstream.path("listen").asText());
    AdminMetrics admin = new AdminMetrics(address(gateway.path("admin").asText()));
    List<Family> families =
        Arrays.stream(o.getOrDefault("families", "openai-chat").split(","))
            .map(String::trim)
            .map(Family::byId)
            .toList();
    int[] streams =
        Arrays.stream(o.getOrDefault("streams", "1,24").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim()))
            .toArray();
    Duration duration = Duration.ofSeconds(Long.parseLong(o.getOrDefault("seconds", "30")));
    Duration ramp = Duration.ofMillis(Long.parseLong(o.getOrDefault("ramp-ms", "1000")));
    int maxRequests = Integer.parseInt(o.getOrDefault("max-requests", "1000"));
    long seed = Long.parseLong(o.getOrDefault("seed", "1"));
    Clock clock = Clock.system();
    if (Boolean.parseBoolean(o.getOrDefault("warmup", "true"))) {
      warmUp(targets, families, clock);
    }
    List<LiveCase> cases = new ArrayList<>();
    boolean ok = true;
    for (Family f : families) {
      for (int n : streams) {
        Plan plan = new Plan(f, n, duration, ramp, maxRequests, "acme", "acme", seed);
        LiveCase c = LiveCase.run(targets, plan, admin, "edge", "direct", clock);
        System.err.printf(
            "[live] %s x%d: %d/%d exact, %.3f charged link bytes per text byte, %.1f s%n",
            f.id(), n, c.stats().exact(), c.stats().responses(), c.edgeRatio(), c.seconds());
        ok &= c.failures().isEmpty() && c.stats().exact() == c.stats().responses();
        cases.add(c);
      }
    }
    String md = LiveReport.markdown(notes, cases);
    if (o.containsKey("out")) {
      Files.writeString(Path.of(o.get("out")), md, StandardCharsets.UTF_8);
    }
    System.out.print(md);
    System.exit(ok ? 0 : 1);
  }

  /** One answer on 4 pairs of every family at once: JIT, escrow, upstream connections. */
  private static void warmUp(Targets targets, List<Family> families, Clock clock)
      throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (Family f : families) {
      Plan plan = new Plan(f, 4, Duration.ofSeconds(1), Duration.ZERO, 1, "acme", "acme", -1);
      Thread t =
          new Thread(
              () -> {
                try {
                  PairedLoad.run(targets, plan, clock);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "live-warmup-" + f.id());
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    System.err.println("[live] warmed up");
  }

  private static String need(Map<String, String> o, String key) {
    String v = o.get(key);
    if (v == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
