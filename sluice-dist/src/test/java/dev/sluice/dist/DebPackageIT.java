package dev.sluice.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs the built {@code sluice_VERSION_all.deb} into this machine with {@code dpkg -i} (as CI
 * does, as root), checks its files, modes, conffiles and user, runs {@code sluice check-config} on
 * the shipped configuration, starts sluice.service's ExecStart command line as the user sluice (as
 * systemd would: in /var/lib/sluice, with /run/sluice made for it, no new privileges, only
 * CAP_NET_BIND_SERVICE in the bounding set) until its ExecStartPost says it is ready and /readyz
 * answers 200, stops it with SIGTERM (exit 0), does the same with sluice-edge.service's command
 * line and its /etc/sluice/edge.env, purges the package and checks what is left. It puts the
 * machine back in every case ({@link HostGuard}). Skipped, saying why, when not root, without dpkg,
 * or when the machine has a sluice it did not install.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DebPackageIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path RUNTIME = Path.of("/run/sluice");
  private static final Path EDGE_RUNTIME = Path.of("/run/sluice-edge");
  private static final Path UNITS = Path.of("/usr/lib/systemd/system");

  @TempDir Path tmp;

  @Test
  void installsStartsAsTheUserStopsCleanlyAndPurges() throws Exception {
    Run run = new Run(tmp);
    String dir = System.getProperty("sluice.deb.dir");
    if (dir == null) {
      abort(
          "run by the deb-install execution (integration-test phase), after the package is built");
    }
    if (!run.exec("id", "-u").out().trim().equals("0")) {
      abort("not root: dpkg -i into this machine needs root (CI runs as root)");
    }
    if (!onPath("dpkg")) {
      abort("no dpkg on this machine: the package cannot be installed here");
    }
    Path deb = theDeb(Path.of(dir));
    HostGuard guard = new HostGuard(run);
    Optional<String> refusal = guard.claim(Path.of(System.getProperty("sluice.jar")));
    if (refusal.isPresent()) {
      abort(refusal.get());
    }
    Process node = null;
    Process edge = null;
    try {
      Run.Result install = run.exec("dpkg", "-i", deb.toString());
      assertThat(install.ok()).as(install.describe()).isTrue();
      checkFiles(run);
      Run.Result check =
          asSluice(run, List.of("/usr/bin/sluice", "check-config", "/etc/sluice/sluice.yaml"));
      assertThat(check.ok()).as(check.describe()).isTrue();
      assertThat(check.err()).as("check-config warns: " + check.describe()).isEmpty();
      assertThat(check.out()).contains("valid (0 warnings)");

      node = start(run);
      Run.Result ready =
          asSluice(run, execLine("sluice.service", "ExecStartPost", node.pid(), Map.of()));
      assertThat(ready.ok()).as(ready.describe() + output()).isTrue();
      JsonNode readyFile = JSON.readTree(RUNTIME.resolve("ready.json").toFile());
      assertThat(readyFile.get("pid").asLong()).isEqualTo(node.pid());
      HttpResponse<String> readyz =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://" + readyFile.get("admin").asText() + "/readyz"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(readyz.statusCode()).as(readyz.body()).isEqualTo(200);

      node.destroy(); // SIGTERM: the drain
      assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
      assertThat(node.exitValue()).as("exit code after SIGTERM" + output()).isZero();
      // The node wrote its ledger and key into the data dir, as the user sluice.
      try (var files = Files.list(HostGuard.DATA)) {
        assertThat(files.map(p -> p.getFileName().toString())).isNotEmpty();
      }

      edge = startEdge(run);
      Run.Result edgeReady =
          asSluice(run, execLine("sluice-edge.service", "ExecStartPost", edge.pid(), Map.of()));
      assertThat(edgeReady.ok()).as(edgeReady.describe() + output("edge")).isTrue();
      edge.destroy();
      assertThat(edge.waitFor(20, TimeUnit.SECONDS)).as("edge stopped within 20 s").isTrue();
      assertThat(edge.exitValue()).as("edge exit code after SIGTERM" + output("edge")).isZero();

      Run.Result purge = run.exec("dpkg", "--purge", "sluice");
      assertThat(purge.ok()).as(purge.describe()).isTrue();
      assertThat(guard.packageStatus()).isIn("", "not-installed");
      for (String gone :
          List.of(
              "/usr/bin/sluice",
              "/usr/share/sluice",
              "/etc/sluice",
              "/usr/lib/sluice",
              UNITS.resolve("sluice.service").toString(),
              "/usr/share/man/man1/sluice.1.gz")) {
        assertThat(Path.of(gone)).as("left after purge").doesNotExist();
      }
      assertThat(guard.userExists()).as("the user sluice after purge").isFalse();
      assertThat(run.exec("getent", "group", "sluice").ok()).as("the group after purge").isFalse();
      assertThat(HostGuard.DATA).as("the data dir (ledger) is kept at purge").isDirectory();
    } finally {
      for (Process p : Arrays.asList(node, edge)) {
        if (p != null && p.isAlive()) {
          p.destroyForcibly().waitFor();
        }
      }
      guard.release(RUNTIME, EDGE_RUNTIME);
    }
  }

  /** The files, their owners and modes, the conffiles, the user and its data directory. */
  private void checkFiles(Run run) throws Exception {
    Map<String, String> modes =
        Map.of(
            "/usr/bin/sluice", "rwxr-xr-x",
            "/usr/lib/sluice/wait-ready", "rwxr-xr-x",
            "/usr/share/sluice/sluice.jar", "rw-r--r--",
            "/etc/sluice/sluice.yaml", "rw-r--r--",
            "/etc/sluice/edge.env", "rw-r--r--",
            "/usr/lib/systemd/system/sluice.service", "rw-r--r--",
            "/usr/lib/systemd/system/sluice-edge.service", "rw-r--r--",
            "/usr/share/man/man1/sluice.1.gz", "rw-r--r--",
            "/usr/share/bash-completion/completions/sluice", "rw-r--r--",
            "/usr/share/doc/sluice/install.md", "rw-r--r--");
    for (Map.Entry<String, String> e : modes.entrySet()) {
      Path p = Path.of(e.getKey());
      assertThat(p).as(e.getKey()).isRegularFile();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .as(e.getKey())
          .isEqualTo(e.getValue());
      assertThat(Files.getOwner(p).getName()).as(e.getKey()).isEqualTo("root");
    }
    Run.Result conffiles = run.exec("dpkg-query", "-W", "-f=${Conffiles}", "sluice");
    assertThat(conffiles.out()).contains(" /etc/sluice/sluice.yaml ", " /etc/sluice/edge.env ");

    Run.Result user = run.exec("getent", "passwd", "sluice");
    assertThat(user.ok()).as(user.describe()).isTrue();
    String[] pw = user.out().trim().split(":");
    assertThat(Integer.parseInt(pw[2])).as("a system uid").isLessThan(1000);
    assertThat(pw[5]).isEqualTo("/var/lib/sluice");
    assertThat(pw[6]).isIn("/usr/sbin/nologin", "/sbin/nologin");
    Path data = HostGuard.DATA;
    assertThat(Files.getOwner(data, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo("sluice");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data)))
        .isEqualTo("rwxr-x---");

    Run.Result man = run.exec("sh", "-c", "zcat /usr/share/man/man1/sluice.1.gz | head -1");
    assertThat(man.out()).startsWith(".TH SLUICE 1");
    if (onPath("systemd-analyze")) {
      Run.Result verify =
          run.exec(
              "systemd-analyze",
              "verify",
              UNITS.resolve("sluice.service").toString(),
              UNITS.resolve("sluice-edge.service").toString());
      assertThat(verify.ok()).as(verify.describe()).isTrue();
    }
  }

  /**
   * sluice.service's ExecStart, run as systemd would run it: user and group sluice, working
   * directory /var/lib/sluice, RuntimeDirectory /run/sluice owned by the user, no new privileges,
   * no capability but CAP_NET_BIND_SERVICE, a bare environment.
   */
  private Process start(Run run) throws Exception {
    return startAsSluice(
        run, RUNTIME, HostGuard.DATA, execLine("sluice.service", "ExecStart", 0, Map.of()), "node");
  }

  /**
   * sluice-edge.service's ExecStart the same way, with $SLUICE_EDGE_ARGS from its EnvironmentFile
   * /etc/sluice/edge.env (a shell-style assignment, quotes removed, then split into words as
   * systemd splits an unquoted $VAR), in /run/sluice-edge.
   */
  private Process startEdge(Run run) throws Exception {
    String args = null;
    for (String line : Files.readAllLines(Path.of("/etc/sluice/edge.env"))) {
      if (line.startsWith("SLUICE_EDGE_ARGS=")) {
        args = line.substring("SLUICE_EDGE_ARGS=".length()).replace("\"", "");
      }
    }
    assertThat(args).as("SLUICE_EDGE_ARGS in /etc/sluice/edge.env").isNotNull();
    List<String> line =
        execLine("sluice-edge.service", "ExecStart", 0, Map.of("$SLUICE_EDGE_ARGS", args));
    return startAsSluice(run, EDGE_RUNTIME, EDGE_RUNTIME, line, "edge");
  }

  private Process startAsSluice(
      Run run, Path runtimeDir, Path workDir, List<String> command, String name) throws Exception {
    Run.Result mk =
        run.exec(
            "install", "-d", "-o", "sluice", "-g", "sluice", "-m", "0755", runtimeDir.toString());
    assertThat(mk.ok()).as(mk.describe()).isTrue();
    ProcessBuilder pb =
        new ProcessBuilder(setpriv(command))
            .directory(workDir.toFile())
            .redirectOutput(tmp.resolve(name + ".out").toFile())
            .redirectError(tmp.resolve(name + ".err").toFile());
    pb.environment().clear();
    pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
    pb.environment().put("LANG", "C.UTF-8");
    return pb.start();
  }

  private Run.Result asSluice(Run run, List<String> command) throws Exception {
    return run.exec(Duration.ofSeconds(90), setpriv(command));
  }

  private static List<String> setpriv(List<String> command) {
    List<String> all =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=sluice",
                "--regid=sluice",
                "--clear-groups",
                "--no-new-privs",
                "--bounding-set=-all,+net_bind_service",
                "--"));
    all.addAll(command);
    return all;
  }

  /**
   * The words of {@code key}'s line in the installed {@code unit}, {@code $MAINPID} filled in and
   * each word in {@code vars} replaced by the words of its value.
   */
  private static List<String> execLine(
      String unit, String key, long mainPid, Map<String, String> vars) throws IOException {
    String prefix = key + "=";
    String line =
        Files.readAllLines(UNITS.resolve(unit)).stream()
            .filter(l -> l.startsWith(prefix))
            .findFirst()
            .orElseThrow(() -> new AssertionError(unit + " has no " + key));
    List<String> words = new ArrayList<>();
    for (String w : line.substring(prefix.length()).trim().split("\\s+")) {
      if (w.equals("$MAINPID")) {
        words.add(Long.toString(mainPid));
      } else if (vars.containsKey(w)) {
        words.addAll(Arrays.asList(vars.get(w).trim().split("\\s+")));
      } else {
        words.add(w);
      }
    }
    return words;
  }

  private String output() throws IOException {
    return output("node");
  }

  private String output(String name) throws IOException {
    Path out = tmp.resolve(name + ".out");
    Path err = tmp.resolve(name + ".err");
    return "\n"
        + name
        + " stdout:\n"
        + (Files.exists(out) ? Files.readString(out) : "")
        + "\n"
        + name
        + " stderr:\n"
        + (Files.exists(err) ? Files.readString(err) : "");
  }

  private static Path theDeb(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      List<Path> debs =
          files.filter(p -> p.getFileName().toString().matches("sluice_.+_all\\.deb")).toList();
      assertThat(debs).as("one sluice_*_all.deb in " + dir).hasSize(1);
      return debs.get(0);
    }
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool));
  }
}
