package dev.sluice.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image runs: its layers unpacked into a directory as a container runtime would, then its entry
 * point started in that root ({@code chroot}, in a mount namespace of its own with {@code /proc}
 * and {@code /dev} mounted, as the image's user), with its environment. So the jlinked JRE, the
 * libraries copied for it, the user and the owner of the data volume are tested together, with no
 * container runtime on the machine.
 *
 * <ul>
 *   <li>{@code check-config} of the image's own {@code /etc/sluice/sluice.yaml} passes;
 *   <li>{@code run} (on a configuration that binds loopback port 0, as a mounted file would replace
 *       the image's) writes its ledger in {@code /var/lib/sluice} as the user and answers the
 *       image's health probe, run the way the compose example runs it.
 * </ul>
 *
 * Needs root (owners, chroot, mounts) and util-linux's {@code unshare}: CI runs as root. Elsewhere
 * skipped, saying so.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ImageRunTest {

  private static final Duration READY = Duration.ofSeconds(60);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  private static Path rootfs;
  private static JsonNode config;

  @BeforeAll
  static void unpack() throws Exception {
    Tools.Result id = Tools.run(List.of("id", "-u"));
    assumeTrue(
        id.stdout().strip().equals("0"),
        "not root: the image is not run here (unpacking its owners and chroot need root; CI is"
            + " root)");
    assumeTrue(
        Tools.onPath("unshare") != null && Tools.onPath("chroot") != null,
        "no unshare or chroot (util-linux, coreutils): the image is not run");
    ImageArchive archive = ImageArchive.unpack(dir.resolve("oci"));
    config = archive.config();
    rootfs = dir.resolve("rootfs");
    archive.extractTo(rootfs);
  }

  /**
   * The command line that runs {@code args} inside the image as its user, with only the image's
   * environment.
   */
  private static List<String> inImage(List<String> args) {
    String root = rootfs.toString();
    String user = config.path("User").asText();
    StringBuilder sh = new StringBuilder();
    sh.append("mount -t proc proc '").append(root).append("/proc' && ");
    sh.append("mount --rbind /dev '").append(root).append("/dev' && ");
    sh.append("exec env -i");
    for (String kv : ImageArchive.strings(config.path("Env"))) {
      sh.append(" '").append(kv).append("'");
    }
    sh.append(" '").append(Tools.onPath("chroot")).append("' --userspec=").append(user);
    sh.append(" '").append(root).append("'");
    for (String a : args) {
      sh.append(" '").append(a).append("'");
    }
    return List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", sh.toString());
  }

  private static List<String> entrypointAnd(String... args) {
    List<String> cmd = new ArrayList<>(ImageArchive.strings(config.path("Entrypoint")));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static Tools.Result runInImage(List<String> args) throws Exception {
    Process p = new ProcessBuilder(inImage(args)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Tools.Result(p.waitFor(), out, "");
  }

  @Test
  void checkConfigPassesOnTheImagesConfiguration() throws Exception {
    Tools.Result r = runInImage(entrypointAnd("check-config", "/etc/sluice/sluice.yaml"));
    assertThat(r.exit()).as("check-config in the image:%n%s", r.output()).isZero();
    assertThat(r.output()).contains("valid (0 warnings)");
  }

  @Test
  void theGatewayRunsAsTheUserWritesItsVolumeAndPassesTheHealthProbe() throws Exception {
    // A configuration mounted over the image's: loopback, port 0, the image's data directory.
    Path etc = rootfs.resolve("etc/sluice");
    Files.writeString(
        etc.resolve("test.yaml"),
        String.join(
            "\n",
            "site: image-test",
            "model: { name: m, weight_bytes: 1GB }",
            "time_zone: UTC",
            "data_dir: /var/lib/sluice",
            "budgets:",
            "  limits: [ { window: day, cap: 1MB } ]",
            "  zones:",
            "    inference:",
            "      tenants:",
            "        default: { limits: [ { window: day, cap: 100KB } ] }",
            "listeners:",
            "  - { name: api, mode: reverse, bind: '127.0.0.1:0', upstream: 'http://127.0.0.1:9',"
                + " zone: inference, tenant_header: X-Tenant }",
            "admin: { bind: '127.0.0.1:0' }",
            ""));
    Path data = rootfs.resolve("var/lib/sluice");
    Path log = dir.resolve("node.log");
    Process node =
        new ProcessBuilder(
                inImage(
                    entrypointAnd(
                        "run",
                        "--config",
                        "/etc/sluice/test.yaml",
                        "--ready-file",
                        "/var/lib/sluice/ready.json")))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      JsonNode ready = awaitReadyFile(node, data.resolve("ready.json"), log);
      String admin = ready.path("admin").asText();

      Tools.Result probe =
          runInImage(
              List.of(
                  "/opt/java/bin/java",
                  "-Xshare:auto",
                  "-XX:TieredStopAtLevel=1",
                  "-Xmx16m",
                  "-cp",
                  "/app/classes",
                  "dev.sluice.image.HealthProbe",
                  "http://" + admin + "/readyz"));
      assertThat(probe.exit()).as("health probe in the image:%n%s", probe.output()).isZero();

      assertThat(Files.getAttribute(data.resolve("ledger"), "unix:uid"))
          .as("owner of the ledger the node wrote")
          .isEqualTo(Integer.parseInt(ImageArchive.UID));
      assertThat(Files.getAttribute(data, "unix:uid"))
          .as("owner of the data volume")
          .isEqualTo(Integer.parseInt(ImageArchive.UID));
    } finally {
      node.destroy();
      if (!node.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  private static JsonNode awaitReadyFile(Process node, Path file, Path log) throws Exception {
    Clock clock = Clock.system();
    long deadline = clock.nanos() + READY.toNanos();
    while (clock.nanos() < deadline) {
      if (!node.isAlive()) {
        throw new AssertionError("the node exited (" + node.exitValue() + "):\n" + read(log));
      }
      if (Files.isRegularFile(file)) {
        return new ObjectMapper().readTree(file.toFile());
      }
      // Polls a file the node writes atomically; the deadline above bounds the wait.
      Thread.sleep(50);
    }
    throw new AssertionError("no ready file in " + READY + ":\n" + read(log));
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log) : "(no output)";
  }
}
