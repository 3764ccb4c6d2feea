package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.Pacer;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real {@code sluice run} under load, a few rounds on the same data directory:
 * clients stream (tenant {@code bravo}) and race for a small lifetime cap (tenant {@code acme})
 * until the process is killed mid-flight. After each kill, {@code sluice ledger verify} passes on
 * the data directory as the crash left it; after each restart, {@code /api/budgets} shows for every
 * node and window at least as much {@code spent} as its clients received, counted on the wire over
 * all rounds so far, and escrow that was held at the kill is reported stranded ({@code
 * sluice_escrow_stranded_bytes}, and {@code stranded} entries in the ledger).
 *
 * <p>Caps are lifetime caps so that the totals of all rounds add up in one window.
 */
@Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KillUnderLoadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();
  private static final int ROUNDS = 3;
  private static final int STREAMERS = 8;
  private static final int RACERS = 16;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private ReplayUpstream slow;
  private ReplayUpstream fast;
  private SluiceProcess sluice;

  @AfterEach
  void stop() {
    if (sluice != null) {
      sluice.close();
    }
    if (slow != null) {
      slow.close();
    }
    if (fast != null) {
      fast.close();
    }
  }

  /** Bytes clients received, by who paid for them. */
  private static final class Received {
    long acme;
    long bravo;
    long control;

    void add(String tenant, RawHttp.Response r) {
      if (r.status() == 200 || r.status() == -1) {
        if (tenant.equals("acme")) {
          acme += r.raw().length;
        } else {
          bravo += r.raw().length;
        }
      } else {
        // The gateway's own answers (429 and the like) are paid from the control allowance.
        control += r.raw().length;
      }
    }

    /** What every budget node's spent must cover. */
    Map<String, Long> byNode() {
      long tenants = acme + bravo;
      return Map.of(
          "site/lifetime",
          tenants,
          "zone:inference/lifetime",
          tenants,
          "tenant:inference/acme/lifetime",
          acme,
          "tenant:inference/bravo/lifetime",
          bravo,
          "control/day",
          control);
    }
  }

  @Test
  void recordedConsumptionCoversWhatLeftAcrossCrashes() throws Exception {
    List<Answer> test = CorpusAnswers.load(CorpusAnswers.ALPACA_EVAL, Split.TEST);
    slow =
        ReplayUpstream.start(
            test.stream().filter(a -> a.text().length() > 3000).limit(16).toList(),
            DemoOptions.defaults().withPacer(Pacer.fixedDelay(Duration.ofMillis(2))));
    fast =
        ReplayUpstream.start(
            test.stream().filter(a -> a.text().length() < 2000).limit(32).toList(),
            DemoOptions.defaults());
    Path data = dir.resolve("data");
    Path config =
        TestConfig.in(data)
            .siteLimits("lifetime", "1GB")
            .zoneLimits("lifetime", "500MB")
            .tenant("acme", "lifetime", "300KB")
            .tenant("bravo", "lifetime", "100MB")
            .reverse("stream", slow.rootUrl())
            .reverse("race", fast.rootUrl())
            .write(dir.resolve("sluice.yaml"));

    Received received = new Received();
    long strandedSeen = 0;
    boolean heldAtLastKill = false;
    for (int round = 1; round <= ROUNDS + 1; round++) {
      sluice = SluiceProcess.start(config, dir);
      AdminApi admin = new AdminApi(sluice);
      if (round > 1) {
        assertSpentCovers(admin.budgets(), received, round);
        double stranded = AdminApi.metric(admin.metrics(), "sluice_escrow_stranded_bytes");
        List<JsonNode> strandedEntries = strandedSinceLastStart(data);
        if (heldAtLastKill) {
          assertThat(stranded).as("stranded bytes after kill %d", round - 1).isPositive();
          assertThat(strandedEntries).as("stranded entries after kill %d", round - 1).isNotEmpty();
        }
        long ledgered = 0;
        for (JsonNode e : strandedEntries) {
          ledgered += e.path("fields").path("stranded").asLong();
        }
        assertThat((double) ledgered).isEqualTo(stranded);
        strandedSeen += ledgered;
      }
      if (round > ROUNDS) {
        break;
      }
      heldAtLastKill = loadAndKill(received, round);
      SluiceCommand.Result verify = SluiceCommand.run(dir, "ledger", "verify", data.toString());
      assertThat(verify.exitCode()).as("after kill %d: %s", round, verify.describe()).isZero();
    }
    assertThat(strandedSeen).as("escrow stranded by the kills").isPositive();
    assertThat(received.acme + received.bravo).isPositive();

    // A clean stop after all that still leaves a verifiable ledger.
    assertThat(sluice.terminate()).isIn(0, 143);
    SluiceCommand.Result verify = SluiceCommand.run(dir, "ledger", "verify", data.toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  /**
   * Runs streaming and racing clients until at least 100 kB more have arrived and every streamer is
   * mid-stream, then kills the process. Returns whether escrow was held just before the kill.
   */
  private boolean loadAndKill(Received received, int round) throws Exception {
    InetSocketAddress streamAt = sluice.listener("stream");
    InetSocketAddress raceAt = sluice.listener("race");
    AtomicBoolean stop = new AtomicBoolean();
    ByteCounter live = new ByteCounter();
    ByteCounter[] streamers = new ByteCounter[STREAMERS];
    ExecutorService pool = Executors.newFixedThreadPool(STREAMERS + RACERS);
    List<Future<List<Map.Entry<String, RawHttp.Response>>>> clients = new ArrayList<>();
    try {
      for (int c = 0; c < STREAMERS + RACERS; c++) {
        boolean streamer = c < STREAMERS;
        ByteCounter mine = new ByteCounter();
        if (streamer) {
          streamers[c] = mine;
        }
        Random random = new Random(round * 100L + c);
        clients.add(
            pool.submit(
                () -> {
                  List<Map.Entry<String, RawHttp.Response>> got = new ArrayList<>();
                  while (!stop.get()) {
                    String tenant = streamer ? "bravo" : "acme";
                    int index =
                        random.nextInt(streamer ? slow.answers().size() : fast.answers().size());
                    boolean stream = streamer || random.nextBoolean();
                    RawHttp.Response r =
                        RawHttp.exchange(
                            streamer ? streamAt : raceAt,
                            RawHttp.chat(tenant, index, stream),
                            READ_TIMEOUT,
                            n -> {
                              live.add(n);
                              mine.add(n);
                            });
                    got.add(Map.entry(tenant, r));
                  }
                  return got;
                }));
      }
      assertThat(live.awaitAtLeast(100_000, Duration.ofSeconds(30))).isTrue();
      for (ByteCounter s : streamers) {
        assertThat(s.awaitAtLeast(1_000, Duration.ofSeconds(30))).isTrue();
      }
      JsonNode before = new AdminApi(sluice).budgets();
      boolean held = false;
      for (JsonNode l : AdminApi.limits(before).values()) {
        held |= l.path("spent").asLong() > l.path("sent").asLong();
      }
      stop.set(true);
      assertThat(sluice.kill9()).isEqualTo(137);
      for (Future<List<Map.Entry<String, RawHttp.Response>>> f : clients) {
        for (Map.Entry<String, RawHttp.Response> e : f.get(60, TimeUnit.SECONDS)) {
          received.add(e.getKey(), e.getValue());
        }
      }
      return held;
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  private static void assertSpentCovers(JsonNode budgets, Received received, int round) {
    Map<String, JsonNode> limits = AdminApi.limits(budgets);
    for (Map.Entry<String, Long> e : received.byNode().entrySet()) {
      JsonNode l = limits.get(e.getKey());
      assertThat(l).as("limit %s in %s", e.getKey(), budgets).isNotNull();
      assertThat(l.path("spent").asLong())
          .as("start %d: spent of %s against %d bytes received", round, e.getKey(), e.getValue())
          .isGreaterThanOrEqualTo(e.getValue())
          .isLessThanOrEqualTo(l.path("cap").asLong());
    }
  }

  /** The {@code stranded} entries after the newest {@code start} entry of the ledger. */
  private List<JsonNode> strandedSinceLastStart(Path data) throws Exception {
    SluiceCommand.Result tail =
        SluiceCommand.run(dir, "ledger", "tail", data.toString(), "-n", "100000", "--json");
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    List<JsonNode> entries = new ArrayList<>();
    for (String line : tail.stdout().split("\n")) {
      entries.add(JSON.readTree(line));
    }
    int lastStart = -1;
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).path("type").asText().equals("start")) {
        lastStart = i;
      }
    }
    assertThat(lastStart).isNotNegative();
    // Stranded sets are ledgered when the store opens, before the start entry.
    int previousStart = -1;
    for (int i = 0; i < lastStart; i++) {
      if (entries.get(i).path("type").asText().equals("start")) {
        previousStart = i;
      }
    }
    List<JsonNode> out = new ArrayList<>();
    for (int i = previousStart + 1; i < lastStart; i++) {
      if (entries.get(i).path("type").asText().equals("stranded")) {
        out.add(entries.get(i));
      }
    }
    return out;
  }

  /** A running byte total that a test can wait on. */
  private static final class ByteCounter {
    private long total;

    synchronized void add(long n) {
      total += n;
      notifyAll();
    }

    synchronized boolean awaitAtLeast(long n, Duration timeout) throws InterruptedException {
      long deadline = CLOCK.nanos() + timeout.toNanos();
      while (total < n) {
        long left = deadline - CLOCK.nanos();
        if (left <= 0) {
          return false;
        }
        wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }
}
