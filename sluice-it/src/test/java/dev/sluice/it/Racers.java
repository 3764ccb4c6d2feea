package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
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

/**
 * Clients racing for a tenant's budget across several gateway nodes, counted on the wire ({@link
 * RawHttp}), and the checks of what came back: {@code 429} naming the tenant once its cap is spent,
 * {@code 503} naming the budget store when a node fails closed.
 */
final class Racers {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

  private Racers() {}

  /** One request, the node (index into the targets) it went to, and what came back. */
  record Exchange(int node, int index, boolean stream, RawHttp.Response response) {

    /**
     * Whether the tenant paid for these bytes: a {@code 200} (whole or cut), or a connection closed
     * before a whole head arrived (only a tenant's response is cut that way).
     */
    boolean paidByTenant() {
      int s = response.status();
      return s == 200 || s == -1;
    }
  }

  /** Held-out answers from 100 to 1500 characters, shuffled with a fixed seed (48 of them). */
  static List<Answer> answers() {
    List<Answer> out = new ArrayList<>();
    Stream.of(CorpusAnswers.ARENA_HARD, CorpusAnswers.ALPACA_EVAL)
        .flatMap(f -> CorpusAnswers.load(f, Split.TEST).stream())
        .filter(a -> a.text().length() >= 100 && a.text().length() <= 1500)
        .limit(400)
        .forEach(out::add);
    Collections.shuffle(out, new Random(7));
    return out.subList(0, 48);
  }

  /**
   * {@code clients} threads released at once, client {@code c} sending {@code requestsEach}
   * requests one after the other to node {@code c % targets.size()} (round-robin), a random answer
   * each time, one in four streamed.
   */
  static List<Exchange> race(
      List<InetSocketAddress> targets,
      String tenant,
      int answers,
      int clients,
      int requestsEach,
      long seed)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<Exchange>>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        futures.add(
            pool.submit(
                () -> {
                  Random random = new Random(seed * 1000 + client);
                  int node = client % targets.size();
                  List<Exchange> mine = new ArrayList<>();
                  go.await();
                  for (int i = 0; i < requestsEach; i++) {
                    int index = random.nextInt(answers);
                    boolean stream = random.nextInt(4) == 0;
                    mine.add(
                        new Exchange(
                            node, index, stream, chat(targets.get(node), tenant, index, stream)));
                  }
                  return mine;
                }));
      }
      go.countDown();
      List<Exchange> all = new ArrayList<>();
      for (Future<List<Exchange>> f : futures) {
        all.addAll(f.get(120, TimeUnit.SECONDS));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Streams round-robin over the nodes until they refuse one with {@code 429} one after the other
   * (each node could not pay even a stream's first write, from its escrow or from etcd), at most
   * {@code limit} requests: what the race left in etcd and in the nodes' escrow is eaten.
   */
  static List<Exchange> drain(
      List<InetSocketAddress> targets, String tenant, int answers, int limit) {
    List<Exchange> out = new ArrayList<>();
    int refusedInARow = 0;
    for (int i = 0; i < limit && refusedInARow < targets.size(); i++) {
      int node = i % targets.size();
      int index = (i * 7) % answers;
      Exchange e = new Exchange(node, index, true, chat(targets.get(node), tenant, index, true));
      out.add(e);
      refusedInARow = e.response().status() == 429 ? refusedInARow + 1 : 0;
    }
    return out;
  }

  static RawHttp.Response chat(InetSocketAddress to, String tenant, int index, boolean stream) {
    return RawHttp.exchange(to, RawHttp.chat(tenant, index, stream), READ_TIMEOUT);
  }

  /** Per node, how many responses of each status came back (-1: cut before a whole head). */
  static String summary(List<Exchange> exchanges) {
    java.util.Map<Integer, java.util.Map<Integer, Integer>> byNode = new java.util.TreeMap<>();
    for (Exchange e : exchanges) {
      byNode
          .computeIfAbsent(e.node(), n -> new java.util.TreeMap<>())
          .merge(e.response().status(), 1, Integer::sum);
    }
    return "statuses by node " + byNode;
  }

  /**
   * One streamed and one whole answer from every node for {@code tenant}, both whole: the nodes
   * have connected to etcd and to the upstream, and their code is warm.
   */
  static void warmUp(List<InetSocketAddress> targets, String tenant, List<Answer> answers) {
    for (InetSocketAddress t : targets) {
      for (boolean stream : new boolean[] {true, false}) {
        RawHttp.Response r = chat(t, tenant, 0, stream);
        assertThat(isWholeAnswer(r, answers.get(0).text())).as("warm-up at %s: %s", t, r).isTrue();
      }
    }
  }

  /** Bytes on the wire of every exchange the tenant paid for. */
  static long tenantBytes(List<Exchange> exchanges) {
    long sum = 0;
    for (Exchange e : exchanges) {
      if (e.paidByTenant()) {
        sum += e.response().raw().length;
      }
    }
    return sum;
  }

  /**
   * {@code 429}, JSON, {@code egress_budget_exhausted} of {@code budgetNode}'s day, resetting at
   * the next local midnight of the test zone, with {@code Retry-After}.
   */
  static void assertIsBudgetExhausted(RawHttp.Response r, String budgetNode) throws Exception {
    assertThat(r.status()).as("status of %s", r).isEqualTo(429);
    assertThat(r.complete()).as("whole 429: %s", r).isTrue();
    assertThat(r.header("content-type")).isEqualTo("application/json");
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("egress_budget_exhausted");
    assertThat(error.path("node").asText()).isEqualTo(budgetNode);
    assertThat(error.path("window").asText()).isEqualTo("day");
    Instant resets = Instant.parse(error.path("resets_at").asText());
    assertThat(resets.atOffset(TestConfig.ZONE).toLocalTime().toSecondOfDay()).isZero();
    Instant now = Instant.ofEpochMilli(Clock.system().millis());
    assertThat(resets).isAfter(now).isBeforeOrEqualTo(now.plus(1, ChronoUnit.DAYS));
    assertThat(Long.parseLong(r.header("retry-after"))).isPositive();
  }

  /**
   * {@code 503}, JSON, {@code budget_store_unavailable}, and the body's {@code store} is {@code
   * storeName} ({@code etcd:} + the node's endpoints + the prefix).
   */
  static void assertIsStoreUnavailable(RawHttp.Response r, String storeName) throws Exception {
    assertThat(r.status()).as("status of %s", r).isEqualTo(503);
    assertThat(r.complete()).as("whole 503: %s", r).isTrue();
    assertThat(r.header("content-type")).isEqualTo("application/json");
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("type").asText()).as("%s", r).isEqualTo("budget_store_unavailable");
    assertThat(error.path("store").asText()).as("%s", r).isEqualTo(storeName);
    assertThat(error.path("message").asText()).as("%s", r).contains(storeName);
  }

  /** Whether {@code r} is a whole {@code 200} carrying corpus answer {@code text}. */
  static boolean isWholeAnswer(RawHttp.Response r, String text) {
    try {
      return r.status() == 200 && r.complete() && RawHttp.answerText(r).equals(text);
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
