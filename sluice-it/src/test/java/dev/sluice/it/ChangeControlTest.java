package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ConfigLoader;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dual control with real processes and real CLI invocations: operator keys from {@code sluice
 * operator keygen}, a loosening {@code sluice reload} refused until two distinct operators approve
 * it with {@code sluice change approve}, applied with the budget carried over, a tightening applied
 * without approvals, SIGHUP, resume gated the same way, and {@code ledger verify} re-checking every
 * recorded signature.
 */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChangeControlTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private ReplayUpstream upstream;
  private SluiceProcess sluice;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stop() {
    if (sluice != null) {
      sluice.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private SluiceCommand.Result cli(String... args) throws Exception {
    return SluiceCommand.run(dir, args);
  }

  /** {@code args} plus the running node's admin address and token. */
  private SluiceCommand.Result admin(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    InetSocketAddress a = sluice.admin();
    all.addAll(
        List.of(
            "--admin",
            a.getHostString() + ":" + a.getPort(),
            "--token-file",
            dir.resolve("data/admin.token").toString()));
    return cli(all.toArray(String[]::new));
  }

  private String adminAddress() {
    return sluice.admin().getHostString() + ":" + sluice.admin().getPort();
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + adminAddress() + path))
                .timeout(Duration.ofSeconds(5)) // a request caught by a swap is retried
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Polls {@code GET /api/config} until it runs {@code sha}, for at most {@link #WAIT}. */
  private void awaitRunning(String sha) throws Exception {
    long deadline = CLOCK.nanos() + WAIT.toNanos();
    String last = null;
    while (CLOCK.nanos() - deadline < 0) {
      try {
        last = get("/api/config").path("sha256").asText();
        if (last.equals(sha)) {
          return;
        }
      } catch (java.io.IOException e) {
        last = e.toString(); // replaced right now
      }
      Thread.sleep(50); // the poll interval of SluiceProcess
    }
    throw new AssertionError("the node did not run " + sha + " within " + WAIT + ": " + last);
  }

  private String keygen(String name) throws Exception {
    SluiceCommand.Result r =
        cli("operator", "keygen", "--name", name, "--out", dir.resolve("keys").toString());
    assertThat(r.exitCode()).as(r.describe()).isZero();
    Path key = dir.resolve("keys/" + name + ".key");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    String pub = Files.readString(dir.resolve("keys/" + name + ".pub"));
    assertThat(pub).matches("ed25519:[A-Za-z0-9+/]{43}=\n");
    return pub.strip();
  }

  private Path config(String name, String tenantCap, String alice, String bob) throws Exception {
    String yaml =
        TestConfig.in(dir.resolve("data"))
                .tenant("acme", "day", tenantCap)
                .reverse("api", upstream.rootUrl())
                .yaml()
            + "change_control:\n  operators: { alice: \""
            + alice
            + "\", bob: \""
            + bob
            + "\" }\n  approvals: 2\n";
    return Files.writeString(dir.resolve(name), yaml);
  }

  private String approval(String operator) {
    return dir.resolve(operator + ".approval").toString();
  }

  private static String sha(Path file) throws Exception {
    return ConfigLoader.sha256Hex(Files.readAllBytes(file));
  }

  private long acmeCap() throws Exception {
    return AdminApi.limit(get("/api/budgets"), "tenant:inference/acme", "day").path("cap").asLong();
  }

  private long acmeSpent() throws Exception {
    return AdminApi.limit(get("/api/budgets"), "tenant:inference/acme", "day")
        .path("spent")
        .asLong();
  }

  @Test
  void aLooseningReloadNeedsTwoDistinctOperatorsAndBudgetsCarryOver() throws Exception {
    upstream =
        ReplayUpstream.start(
            CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST).subList(0, 4),
            DemoOptions.defaults());
    String alice = keygen("alice");
    String bob = keygen("bob");
    Path running = config("sluice.yaml", "1MB", alice, bob);
    Path looser = config("looser.yaml", "2MB", alice, bob);
    sluice = SluiceProcess.start(running, dir);
    RawHttp.Response r =
        RawHttp.exchange(sluice.listener("api"), RawHttp.chat("acme", 0, false), WAIT);
    assertThat(r.status()).isEqualTo(200);
    long received = r.raw().length;

    SluiceCommand.Result refused = admin("reload", "--config", looser.toString());
    assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(1);
    assertThat(refused.stderr())
        .contains("needs approvals from 2 distinct operators; it has 0")
        .contains("budgets.zones.inference.tenants.acme.limits day: 1 MB -> 2 MB (raises a cap)");

    for (String op : List.of("alice", "bob")) {
      SluiceCommand.Result a =
          cli(
              "change",
              "approve",
              "--config",
              looser.toString(),
              "--key",
              dir.resolve("keys/" + op + ".key").toString(),
              "--out",
              approval(op),
              "--expires",
              "10m",
              "--admin",
              adminAddress());
      assertThat(a.exitCode()).as(a.describe()).isZero();
    }
    SluiceCommand.Result one =
        admin(
            "reload",
            "--config",
            looser.toString(),
            "--approval",
            approval("alice"),
            "--approval",
            approval("alice"));
    assertThat(one.exitCode()).as(one.describe()).isEqualTo(1);
    assertThat(one.stderr())
        .contains("it has 1 (alice)")
        .contains("approval by alice is a second approval by alice (each operator counts once)");
    assertThat(acmeCap()).isEqualTo(1_000_000);

    SluiceCommand.Result two =
        admin(
            "reload",
            "--config",
            looser.toString(),
            "--approval",
            approval("alice"),
            "--approval",
            approval("bob"));
    assertThat(two.exitCode()).as(two.describe()).isZero();
    assertThat(two.stdout()).contains("approved by: alice, bob").contains("reloaded:");
    awaitRunning(sha(looser));
    assertThat(acmeCap()).isEqualTo(2_000_000);
    assertThat(acmeSpent()).isGreaterThanOrEqualTo(received);

    // A tightening needs no approval; SIGHUP applies the file the node was started with.
    Path tighter = config("tighter.yaml", "1500KB", alice, bob);
    SluiceCommand.Result tight = admin("reload", "--config", tighter.toString());
    assertThat(tight.exitCode()).as(tight.describe()).isZero();
    awaitRunning(sha(tighter));
    assertThat(acmeCap()).isEqualTo(1_500_000);
    Files.writeString(running, Files.readString(config("x.yaml", "1200KB", alice, bob)));
    Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(sluice.pid())).start();
    assertThat(hup.waitFor()).isZero();
    awaitRunning(sha(running));
    assertThat(acmeCap()).isEqualTo(1_200_000);
    assertThat(acmeSpent()).isGreaterThanOrEqualTo(received);

    sluice.sigterm();
    SluiceCommand.Result verify = cli("ledger", "verify", dir.resolve("data").toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
    SluiceCommand.Result tail =
        cli("ledger", "tail", "-n", "200", "--json", dir.resolve("data").toString());
    String looserSha = sha(looser);
    assertThat(tail.stdout().lines().filter(l -> l.contains("\"type\":\"change\"")).toList())
        .anyMatch(l -> l.contains("\"action\":\"refusal\""))
        .anyMatch(l -> l.contains("\"action\":\"approval\"") && l.contains("\"operator\":\"bob\""))
        .anyMatch(l -> l.contains("\"action\":\"application\"") && l.contains(looserSha));
  }

  @Test
  void liftingAHaltNeedsApprovalsBoundToThatHalt() throws Exception {
    upstream =
        ReplayUpstream.start(
            CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST).subList(0, 1),
            DemoOptions.defaults());
    String alice = keygen("alice");
    String bob = keygen("bob");
    sluice = SluiceProcess.start(config("sluice.yaml", "1MB", alice, bob), dir);
    assertThat(admin("halt", "--reason", "drill").exitCode()).isZero();
    SluiceCommand.Result bare = admin("resume");
    assertThat(bare.exitCode()).as(bare.describe()).isEqualTo(1);
    assertThat(bare.stderr()).contains("lifts the halt of site");
    for (String op : List.of("alice", "bob")) {
      SluiceCommand.Result a =
          cli(
              "change",
              "approve-resume",
              "--key",
              dir.resolve("keys/" + op + ".key").toString(),
              "--out",
              approval(op),
              "--admin",
              adminAddress());
      assertThat(a.exitCode()).as(a.describe()).isZero();
    }
    SluiceCommand.Result ok =
        admin("resume", "--approval", approval("alice"), "--approval", approval("bob"));
    assertThat(ok.exitCode()).as(ok.describe()).isZero();
    assertThat(ok.stdout()).contains("resumed site").contains("approved by alice");
    // The same approvals cannot lift the next halt.
    assertThat(admin("halt", "--reason", "drill 2").exitCode()).isZero();
    SluiceCommand.Result replay =
        admin("resume", "--approval", approval("alice"), "--approval", approval("bob"));
    assertThat(replay.exitCode()).as(replay.describe()).isEqualTo(1);
    assertThat(get("/api/budgets").path("halted").asBoolean()).isTrue();
  }
}
