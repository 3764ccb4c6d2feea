package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The race for the last bytes of a budget: 64 clients at once, streaming and not, ask one tenant
 * with a 200 KB day cap for corpus answers of many sizes, far more than the cap. Every byte the
 * clients receive on {@code 200} responses, counted on the wire (status line, headers, chunk and
 * SSE framing) and including streams cut when the budget ran out, adds up to at most the cap;
 * {@code /api/budgets} never shows less {@code spent} or {@code sent} than the clients received;
 * and once the budget is gone, requests get {@code 429} with the JSON error naming the tenant, the
 * window and the reset time.
 */
@Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BudgetRaceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long CAP = 200_000;
  private static final String TENANT_NODE = "tenant:inference/acme";
  private static final int CLIENTS = 64;
  private static final int REQUESTS_EACH = 6;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private ReplayUpstream upstream;
  private SluiceProcess sluice;

  @AfterEach
  void stop() {
    if (sluice != null) {
      sluice.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** Held-out answers from 100 to 1500 characters, shuffled with a fixed seed. */
  private static List<Answer> answers() {
    List<Answer> out = new ArrayList<>();
    Stream.of(CorpusAnswers.ARENA_HARD, CorpusAnswers.ALPACA_EVAL)
        .flatMap(f -> CorpusAnswers.load(f, Split.TEST).stream())
        .filter(a -> a.text().length() >= 100 && a.text().length() <= 1500)
        .limit(400)
        .forEach(out::add);
    Collections.shuffle(out, new Random(7));
    return out.subList(0, 48);
  }

  /** One request and what came back. */
  private record Exchange(int index, boolean stream, RawHttp.Response response) {}

  @Test
  void clientsNeverReceiveMoreThanTheCapAndLaterRequestsGet429() throws Exception {
    upstream = ReplayUpstream.start(answers(), DemoOptions.defaults());
    Path config =
        TestConfig.in(dir.resolve("data"))
            .tenant("acme", "day", "200KB")
            .reverse("api", upstream.rootUrl())
            .write(dir.resolve("sluice.yaml"));
    sluice = SluiceProcess.start(config, dir);
    InetSocketAddress api = sluice.listener("api");

    List<Exchange> exchanges = race(api);
    // Streams eat what the race left (down to less than one event), until one is refused.
    for (int i = 0; i < 60; i++) {
      Exchange e = new Exchange(i % upstream.answers().size(), true, chat(api, i, true));
      exchanges.add(e);
      if (e.response().status() == 429) {
        break;
      }
    }

    long paidByTenant = 0;
    long paidByControl = 0;
    int ok = 0;
    int cut = 0;
    int refused = 0;
    for (Exchange e : exchanges) {
      RawHttp.Response r = e.response();
      switch (r.status()) {
        case 200 -> {
          paidByTenant += r.raw().length;
          if (r.complete()) {
            ok++;
            assertThat(RawHttp.answerText(r))
                .as("a whole answer is the corpus answer")
                .isEqualTo(upstream.answers().get(e.index()).text());
          } else {
            cut++;
          }
        }
        case 429 -> {
          paidByControl += r.raw().length;
          refused++;
          assertIsBudgetExhausted(r);
        }
        case -1 -> {
          // Closed before a whole head left: only possible for bytes of the tenant's response.
          paidByTenant += r.raw().length;
          cut++;
        }
        default -> throw new AssertionError("unexpected response " + r);
      }
    }
    assertThat(ok).as("whole answers").isPositive();
    assertThat(refused).as("429s").isPositive();
    assertThat(paidByTenant)
        .as("bytes on 200 responses (%d whole, %d cut, %d refused)", ok, cut, refused)
        .isLessThanOrEqualTo(CAP);

    JsonNode budgets = new AdminApi(sluice).budgets();
    JsonNode tenant = AdminApi.limit(budgets, TENANT_NODE, "day");
    assertThat(tenant.path("cap").asLong()).isEqualTo(CAP);
    assertThat(tenant.path("spent").asLong())
        .isGreaterThanOrEqualTo(paidByTenant)
        .isLessThanOrEqualTo(CAP);
    assertThat(tenant.path("sent").asLong()).isGreaterThanOrEqualTo(paidByTenant);
    JsonNode control = AdminApi.limit(budgets, "control", "day");
    assertThat(control.path("sent").asLong()).isGreaterThanOrEqualTo(paidByControl);
    assertThat(control.path("spent").asLong()).isGreaterThanOrEqualTo(paidByControl);

    // What is left to spend anywhere (store and escrow) is cap - sent: any answer longer is 429.
    long left = CAP - tenant.path("sent").asLong();
    List<Integer> tooBig = new ArrayList<>();
    for (int i = 0; i < upstream.answers().size() && tooBig.size() < 5; i++) {
      if (upstream.answers().get(i).text().length() > left) {
        tooBig.add(i);
      }
    }
    assertThat(tooBig).as("answers longer than the %d bytes left", left).isNotEmpty();
    for (int i : tooBig) {
      RawHttp.Response later = chat(api, i, false);
      assertThat(later.status()).as("a later request: %s", later).isEqualTo(429);
      assertIsBudgetExhausted(later);
      assertThat(later.eof()).isTrue();
    }
  }

  /** 64 threads released at once, each sending its requests one after the other. */
  private List<Exchange> race(InetSocketAddress api) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<Exchange>>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.add(
            pool.submit(
                () -> {
                  Random random = new Random(client);
                  List<Exchange> mine = new ArrayList<>();
                  go.await();
                  for (int i = 0; i < REQUESTS_EACH; i++) {
                    int index = random.nextInt(upstream.answers().size());
                    boolean stream = random.nextInt(4) == 0;
                    mine.add(new Exchange(index, stream, chat(api, index, stream)));
                  }
                  return mine;
                }));
      }
      go.countDown();
      List<Exchange> all = new ArrayList<>();
      for (Future<List<Exchange>> f : clients) {
        all.addAll(f.get(120, TimeUnit.SECONDS));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  private RawHttp.Response chat(InetSocketAddress api, int index, boolean stream) {
    return RawHttp.exchange(api, RawHttp.chat("acme", index, stream), READ_TIMEOUT);
  }

  /**
   * {@code 429}, JSON, {@code egress_budget_exhausted} of the tenant's day, resetting at the next
   * local midnight of the test zone.
   */
  private static void assertIsBudgetExhausted(RawHttp.Response r) throws Exception {
    assertThat(r.complete()).as("whole 429: %s", r).isTrue();
    assertThat(r.header("content-type")).isEqualTo("application/json");
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("egress_budget_exhausted");
    assertThat(error.path("node").asText()).isEqualTo(TENANT_NODE);
    assertThat(error.path("window").asText()).isEqualTo("day");
    Instant resets = Instant.parse(error.path("resets_at").asText());
    assertThat(resets.atOffset(TestConfig.ZONE).toLocalTime().toSecondOfDay()).isZero();
    Instant now = Instant.ofEpochMilli(Clock.system().millis());
    assertThat(resets).isAfter(now).isBeforeOrEqualTo(now.plus(1, ChronoUnit.DAYS));
    assertThat(Long.parseLong(r.header("retry-after"))).isPositive();
  }
}
