package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.admin.AdminToken;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium against a real {@code sluice run}: after traffic has
 * spent budgets (one tenant up to its cap), the numbers the page shows for every limit are those of
 * {@code /api/budgets}; the chart fills; a halt puts up the HALTED banner, report mode the REPORT
 * MODE banner, and neither shows otherwise; with the etcd store, the gateway nodes and their escrow
 * are those of {@code /api/budgets}. Screenshots go to {@code sluice-it/target/dashboard/} ({@code
 * docs/images/dashboard.png} is one of them).
 */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DashboardBrowserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RENDER = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(250);

  /** Two points of the rate chart: samples every 10 s, the first at start. */
  private static final Duration CHART = Duration.ofSeconds(45);

  /**
   * A tenant a client claims, which the page must show as text (in the denial it earns): were it
   * parsed as HTML, an element would appear. Configured names cannot hold markup; clients' can.
   */
  private static final String MARKUP_TENANT = "<img src=x id=injected-tenant>";

  /** Likewise, a halt reason (it comes from whoever halts). */
  private static final String MARKUP_REASON = "drill <b id=injected-reason>now<b>";

  @TempDir Path dir;
  private ReplayUpstream upstream;
  private SluiceProcess sluice;
  private Path dataDir;
  private HeadlessChromium chromium;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() throws Exception {
    if (chromium != null) {
      chromium.close();
    }
    if (sluice != null) {
      sluice.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private void start(String mode) throws Exception {
    start(mode, "");
  }

  /** {@code extra}: YAML appended to the configuration (a top-level section). */
  private void start(String mode, String extra) throws Exception {
    upstream = ReplayUpstream.start(answers(), DemoOptions.defaults());
    dataDir = dir.resolve("data");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        TestConfig.in(dataDir)
                .mode(mode)
                .tenant("acme", "day", "60KB")
                .tenant("globex", "day", "2MB", "month", "20MB")
                .reverse("api", upstream.rootUrl())
                .yaml()
            + extra);
    sluice = SluiceProcess.start(config, dir);
    chromium = HeadlessChromium.start(dir, 1280, 1700);
  }

  private static List<Answer> answers() {
    List<Answer> out = new ArrayList<>();
    Stream.of(CorpusAnswers.ARENA_HARD, CorpusAnswers.ALPACA_EVAL)
        .flatMap(f -> CorpusAnswers.load(f, Split.TEST).stream())
        .filter(a -> a.text().length() >= 500 && a.text().length() <= 3000)
        .limit(16)
        .forEach(out::add);
    return out;
  }

  private String token() throws Exception {
    return AdminToken.read(AdminToken.fileIn(dataDir));
  }

  /** Opens the dashboard with the token in the fragment and waits for its first render. */
  private WebDriver open() throws Exception {
    WebDriver d = chromium.driver();
    d.get(sluice.adminUri("/") + "#token=" + token());
    new WebDriverWait(d, RENDER, POLL)
        .withMessage("the dashboard never rendered")
        .until(x -> x.findElement(By.tagName("body")).getAttribute("data-rendered") != null);
    return d;
  }

  private int chat(String tenant, int i) {
    InetSocketAddress api = sluice.listener("api");
    return RawHttp.exchange(
            api, RawHttp.chat(tenant, i % upstream.answers().size(), false), Duration.ofSeconds(10))
        .status();
  }

  /** With an alerts section, the firing alerts of {@code /api/alerts} are listed, by name. */
  @Test
  void firingAlertsAreThoseOfTheApi() throws Exception {
    start("enforce", "alerts:\n  interval: 1s\n");
    int refused = 0;
    for (int i = 0; i < 200 && refused == 0; i++) {
      refused += chat("acme", i) == 429 ? 1 : 0;
    }
    assertThat(refused).as("acme ran into its cap").isEqualTo(1);

    WebDriver d = open();
    List<String> firing = new ArrayList<>();
    new WebDriverWait(d, RENDER, POLL)
        .withMessage(() -> "the page never listed the firing alerts " + firing)
        .until(
            x -> {
              firing.clear();
              firing.addAll(firingAlerts());
              List<String> shown =
                  x
                      .findElements(By.cssSelector("#alerts > ul:first-of-type > li.alert.firing"))
                      .stream()
                      .map(WebElement::getText)
                      .toList();
              return firing.size() >= 3
                  && shown.size() == firing.size()
                  && firing.stream().allMatch(f -> shown.stream().anyMatch(l -> l.contains(f)));
            });
    assertThat(firing).as("50%, 80% and 100% of acme's day cap").hasSizeGreaterThanOrEqualTo(3);
    assertThat(d.findElements(By.id("no-alerts"))).isEmpty();
    chromium.screenshot(artifacts().resolve("dashboard-alerts.png"));
  }

  /** The name and summary of each firing alert, as {@code /api/alerts} has them. */
  private List<String> firingAlerts() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(sluice.adminUri("/api/alerts")).build(),
              HttpResponse.BodyHandlers.ofString());
      List<String> out = new ArrayList<>();
      for (JsonNode a : new ObjectMapper().readTree(r.body()).path("alerts")) {
        if (a.path("status").asText().equals("firing")) {
          out.add(a.path("name").asText() + " — " + a.path("annotations").path("summary").asText());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theRenderedBudgetsAreThoseOfTheApiAndAHaltPutsUpTheBanner() throws Exception {
    start("enforce");
    int refused = 0;
    for (int i = 0; i < 200 && refused == 0; i++) {
      refused += chat("acme", i) == 429 ? 1 : 0;
    }
    assertThat(refused).as("acme ran into its cap").isEqualTo(1);
    for (int i = 0; i < 10; i++) {
      assertThat(chat("globex", i)).isEqualTo(200);
    }
    assertThat(chat(MARKUP_TENANT, 0)).as("an unknown tenant").isBetween(400, 499);

    WebDriver d = open();
    assertThat(d.getCurrentUrl()).as("the token left the address bar").doesNotContain("token");
    assertThat(d.findElement(By.id("banner-halted")).isDisplayed()).isFalse();
    assertThat(d.findElement(By.id("banner-report")).isDisplayed()).isFalse();

    AdminApi api = new AdminApi(sluice);
    Map<String, List<Long>> expected = new LinkedHashMap<>();
    new WebDriverWait(d, RENDER, POLL)
        .withMessage(() -> "the page never showed /api/budgets: " + expected)
        .until(
            x -> {
              Map<String, List<Long>> shown = shown(x);
              expected.clear();
              expected.putAll(figures(budgets(api)));
              return shown.equals(expected);
            });
    assertThat(expected)
        .containsKeys("site/day", "zone:inference/day", "tenant:inference/acme/day");
    // Refused when what is left is less than an answer (at most a few KB here).
    assertThat(expected.get("tenant:inference/acme/day").get(2))
        .as("acme remaining")
        .isLessThan(10_000);
    assertThat(expected.get("tenant:inference/globex/month").get(0)).isPositive();
    assertThat(d.findElement(By.cssSelector("#events tbody")).getText()).contains(MARKUP_TENANT);
    assertThat(d.findElements(By.id("injected-tenant"))).as("markup in a tenant name").isEmpty();

    AtomicInteger more = new AtomicInteger(10);
    new WebDriverWait(d, CHART, POLL)
        .withMessage("the rate chart never drew")
        .until(
            x -> {
              chat("globex", more.incrementAndGet()); // traffic for the chart meanwhile
              return !x.findElements(By.cssSelector("#rates svg polyline")).isEmpty();
            });
    assertThat(d.findElement(By.cssSelector("#events tbody")).getText()).contains("deny");
    assertThat(d.findElement(By.id("no-alerts")).getText()).isEqualTo("no alerts configured");
    assertThat(d.findElement(By.id("checkpoint-age")).getText()).isNotBlank();
    chromium.screenshot(artifacts().resolve("dashboard.png"));

    HttpResponse<String> halt =
        http.send(
            HttpRequest.newBuilder(sluice.adminUri("/api/halt"))
                .header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.createObjectNode().put("reason", MARKUP_REASON).toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(halt.statusCode()).as(halt.body()).isEqualTo(200);
    WebElement banner = d.findElement(By.id("banner-halted"));
    new WebDriverWait(d, RENDER, POLL)
        .withMessage("no HALTED banner")
        .until(x -> banner.isDisplayed());
    assertThat(banner.getText()).startsWith("HALTED").contains("site").contains(MARKUP_REASON);
    assertThat(d.findElements(By.id("injected-reason"))).as("markup in a halt reason").isEmpty();
    new WebDriverWait(d, RENDER, POLL)
        .withMessage("the halt never showed among the recent events")
        .until(
            x -> x.findElement(By.cssSelector("#events tbody")).getText().contains(MARKUP_REASON));
    assertThat(d.findElements(By.id("injected-reason"))).isEmpty();
    chromium.screenshot(artifacts().resolve("dashboard-halted.png"));
  }

  @Test
  void reportModeIsImpossibleToMiss() throws Exception {
    start("report");
    assertThat(chat("globex", 0)).isEqualTo(200);
    WebDriver d = open();
    WebElement banner = d.findElement(By.id("banner-report"));
    assertThat(banner.isDisplayed()).isTrue();
    assertThat(banner.getText()).startsWith("REPORT MODE");
    assertThat(d.findElement(By.id("banner-halted")).isDisplayed()).isFalse();
    chromium.screenshot(artifacts().resolve("dashboard-report.png"));
  }

  @Test
  void theGatewayNodesOfTheEtcdStoreAreThoseOfTheApi() throws Exception {
    upstream = ReplayUpstream.start(answers(), DemoOptions.defaults());
    try (GatewaySite site = GatewaySite.start(dir, 1, "5s", "2s")) {
      for (String id : new String[] {"a", "b"}) {
        site.add(id, c -> c.tenant("acme", "day", "5MB").reverse("api", upstream.rootUrl()));
      }
      sluice = site.start("a");
      dataDir = site.node("a").dataDir;
      SluiceProcess b = site.start("b");
      for (int i = 0; i < 5; i++) {
        assertThat(chat("acme", i)).isEqualTo(200);
      }
      assertThat(
              RawHttp.exchange(
                      b.listener("api"), RawHttp.chat("acme", 0, false), Duration.ofSeconds(10))
                  .status())
          .isEqualTo(200);
      chromium = HeadlessChromium.start(dir, 1280, 1700);
      WebDriver d = open();
      AdminApi api = new AdminApi(sluice);
      Map<String, List<String>> expected = new LinkedHashMap<>();
      new WebDriverWait(d, RENDER, POLL)
          .withMessage(() -> "the page never showed the gateway nodes of /api/budgets: " + expected)
          .until(
              x -> {
                Map<String, List<String>> shown = shownNodes(x);
                expected.clear();
                for (JsonNode g : budgets(api).path("gateway_nodes")) {
                  expected.put(
                      g.path("node_id").asText(),
                      List.of(
                          g.path("live").asBoolean() ? "live" : "DOWN",
                          g.path("open_sets").asText(),
                          g.path("held").asText(),
                          g.path("expired").asText()));
                }
                return shown.equals(expected);
              });
      assertThat(expected).containsOnlyKeys("a", "b");
      assertThat(d.findElement(By.cssSelector("#nodes tr[data-node='a']")).getText())
          .contains("(this node)");
      chromium.screenshot(artifacts().resolve("dashboard-etcd.png"));
    }
  }

  /** Node id to live, open sets, held and expired bytes, as the page shows them. */
  private static Map<String, List<String>> shownNodes(WebDriver d) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (WebElement row : d.findElements(By.cssSelector("#nodes tbody tr[data-node]"))) {
      out.put(
          row.getAttribute("data-node"),
          List.of(
              row.findElement(By.cssSelector("td.live")).getText(),
              row.findElement(By.cssSelector("td.open-sets")).getText(),
              row.findElement(By.cssSelector("td.held .exact")).getText().replace(",", ""),
              row.findElement(By.cssSelector("td.expired .exact")).getText().replace(",", "")));
    }
    return out;
  }

  private static Path artifacts() {
    return RepoRoot.get().resolve("sluice-it/target/dashboard");
  }

  private static JsonNode budgets(AdminApi api) {
    try {
      return api.budgets();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code node/window} to spent, sent and remaining, as {@code /api/budgets} has them. */
  private static Map<String, List<Long>> figures(JsonNode budgets) {
    Map<String, List<Long>> out = new LinkedHashMap<>();
    AdminApi.limits(budgets)
        .forEach(
            (key, l) ->
                out.put(
                    key,
                    List.of(
                        l.path("spent").asLong(),
                        l.path("sent").asLong(),
                        l.path("remaining").asLong())));
    return out;
  }

  /** The same, as the page shows them: the exact byte counts under each figure. */
  private static Map<String, List<Long>> shown(WebDriver d) {
    Map<String, List<Long>> out = new LinkedHashMap<>();
    for (WebElement row : d.findElements(By.cssSelector("#budgets tbody tr"))) {
      List<Long> values = new ArrayList<>();
      for (String cls : new String[] {"spent", "sent", "remaining"}) {
        String text = row.findElement(By.cssSelector("td." + cls + " .exact")).getText();
        values.add(Long.parseLong(text.replace(",", "")));
      }
      out.put(row.getAttribute("data-node") + "/" + row.getAttribute("data-window"), values);
    }
    return out;
  }
}
