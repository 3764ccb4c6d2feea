package dev.sluice.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.SluiceCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

/**
 * The compose example ({@code deploy/compose.yaml}) is YAML of the documented shape (a gateway, an
 * edge, a three-member etcd; Sluice services on this build's image, with health checks that name
 * the image's probe), and every Sluice configuration it mounts ({@code deploy/compose/}) and the
 * image's own ({@code src/image/etc/sluice/sluice.yaml}) pass {@code sluice check-config} without a
 * warning. The edge's arguments parse as {@code sluice edge} options.
 */
class ComposeExampleTest {

  private static final Path ROOT = Path.of(System.getProperty("repo.root", "..")).normalize();
  private static final Path COMPOSE = ROOT.resolve("deploy/compose.yaml");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> compose() throws Exception {
    Load load = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build());
    return (Map<String, Object>) merged(load.loadFromString(Files.readString(COMPOSE)));
  }

  /**
   * Applies YAML merge keys ({@code <<: *anchor}), which compose files use and YAML 1.2 (this
   * parser) leaves as plain keys: a map's own keys win over the merged ones.
   */
  @SuppressWarnings("unchecked")
  static Object merged(Object node) {
    if (node instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(e -> out.add(merged(e)));
      return out;
    }
    if (!(node instanceof Map<?, ?> map)) {
      return node;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    Object base = map.get("<<");
    if (base != null) {
      for (Object b : base instanceof List<?> l ? l : List.of(base)) {
        out.putAll((Map<String, Object>) merged(b));
      }
    }
    map.forEach(
        (k, v) -> {
          if (!"<<".equals(k)) {
            out.put(String.valueOf(k), merged(v));
          }
        });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> service(String name) throws Exception {
    Map<String, Object> services = (Map<String, Object>) compose().get("services");
    assertThat(services).as("services of %s", COMPOSE).containsKey(name);
    return (Map<String, Object>) services.get(name);
  }

  @Test
  void hasAGatewayAnEdgeAndAThreeMemberEtcd() throws Exception {
    @SuppressWarnings("unchecked")
    Map<String, Object> services = (Map<String, Object>) compose().get("services");
    assertThat(services).containsOnlyKeys("gateway", "edge", "etcd-1", "etcd-2", "etcd-3");
    for (String etcd : List.of("etcd-1", "etcd-2", "etcd-3")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> env = (Map<String, Object>) service(etcd).get("environment");
      assertThat(env.get("ETCD_NAME")).isEqualTo(etcd);
      assertThat((String) env.get("ETCD_INITIAL_CLUSTER"))
          .contains("etcd-1=", "etcd-2=", "etcd-3=");
    }
  }

  @Test
  void sluiceServicesRunThisBuildsImageWithTheImagesProbe() throws Exception {
    for (String name : List.of("gateway", "edge")) {
      Map<String, Object> s = service(name);
      assertThat(s.get("image")).isEqualTo("sluice:" + System.getProperty("image.version"));
      @SuppressWarnings("unchecked")
      List<String> test = (List<String>) ((Map<String, Object>) s.get("healthcheck")).get("test");
      assertThat(test).startsWith("CMD", "/opt/java/bin/java");
      assertThat(test).contains("/app/classes", HealthProbe.class.getName());
      String target = test.get(test.size() - 1);
      assertThat(target).matches("(http|tcp)://127\\.0\\.0\\.1:\\d+(/.*)?");
    }
  }

  @Test
  void everyMountedSluiceConfigurationPassesCheckConfig() throws Exception {
    List<Path> mounted = new ArrayList<>();
    for (String name : List.of("gateway", "edge")) {
      Object volumes = service(name).get("volumes");
      if (volumes == null) {
        continue;
      }
      for (Object v : (List<?>) volumes) {
        String source = String.valueOf(v).split(":")[0];
        if (source.startsWith("./")) {
          mounted.add(COMPOSE.getParent().resolve(source).normalize());
        }
      }
    }
    assertThat(mounted).as("configurations the compose example mounts").isNotEmpty();
    mounted.add(ROOT.resolve("sluice-image/src/image/etc/sluice/sluice.yaml"));
    for (Path config : mounted) {
      assertThat(config).as("mounted file").isRegularFile();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cli = SluiceCli.newCommandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      int exit = cli.execute("check-config", config.toString());
      assertThat(exit).as("sluice check-config %s:%n%s%s", config, out, err).isZero();
      assertThat(out.toString()).as("check-config %s", config).contains("valid (0 warnings)");
    }
  }

  @Test
  void theEdgeCommandParsesAsSluiceEdge() throws Exception {
    @SuppressWarnings("unchecked")
    List<String> command = (List<String>) service("edge").get("command");
    assertThat(command.get(0)).isEqualTo("edge");
    CommandLine.ParseResult parsed =
        SluiceCli.newCommandLine().parseArgs(command.toArray(String[]::new));
    assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("edge");
    assertThat(parsed.subcommand().matchedOptionValue("--gateway", "")).isEqualTo("gateway:7443");
  }
}
