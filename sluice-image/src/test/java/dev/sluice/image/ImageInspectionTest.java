package dev.sluice.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built image as a registry or runtime sees it: {@code skopeo inspect --config
 * oci-archive:target/sluice-image.tar} (Debian package {@code skopeo}; .ci/run installs it). Runs
 * in the {@code verify} phase, after {@code package} built the archive. Skipped, saying so, only
 * where skopeo is not installed.
 */
class ImageInspectionTest {

  private static JsonNode config;

  @BeforeAll
  static void inspect() throws Exception {
    Path skopeo = Tools.onPath("skopeo");
    assumeTrue(
        skopeo != null,
        "skopeo is not installed: the image is not inspected here (apt-get install skopeo;"
            + " .ci/run installs it)");
    Path tar = ImageArchive.path();
    Tools.Result r =
        Tools.run(List.of(skopeo.toString(), "inspect", "--config", "oci-archive:" + tar));
    assertThat(r.exit()).as("skopeo inspect --config:%n%s", r.output()).isZero();
    config = new ObjectMapper().readTree(r.stdout()).path("config");
  }

  @Test
  void runsAsTheNumericNonRootUser() {
    assertThat(config.path("User").asText()).matches("[1-9][0-9]*:[1-9][0-9]*");
    assertThat(config.path("User").asText()).isEqualTo(ImageArchive.UID + ":" + ImageArchive.UID);
  }

  @Test
  void theEntryPointIsTheSluiceCliOnTheImagesJreAndRunsTheGatewayByDefault() {
    assertThat(strings(config.path("Entrypoint")))
        .startsWith("/opt/java/bin/java")
        .endsWith("-cp", "/app/resources:/app/classes:/app/libs/*", "dev.sluice.cli.SluiceCli");
    assertThat(strings(config.path("Cmd")))
        .containsExactly("run", "--config", "/etc/sluice/sluice.yaml");
    assertThat(config.path("WorkingDir").asText()).isEqualTo("/var/lib/sluice");
  }

  @Test
  void exposesTheListenerEdgeAndAdminPorts() {
    List<String> ports = new ArrayList<>();
    config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
    assertThat(ports)
        .containsExactlyInAnyOrder("8080/tcp", "3128/tcp", "7443/tcp", "8443/tcp", "9901/tcp");
  }

  @Test
  void theDataDirectoryIsAVolume() {
    List<String> volumes = new ArrayList<>();
    config.path("Volumes").fieldNames().forEachRemaining(volumes::add);
    assertThat(volumes).containsExactly("/var/lib/sluice");
  }

  @Test
  void carriesTheOciLabels() throws Exception {
    JsonNode labels = config.path("Labels");
    assertThat(labels.path("org.opencontainers.image.title").asText()).isEqualTo("Sluice");
    assertThat(labels.path("org.opencontainers.image.version").asText())
        .isEqualTo(System.getProperty("image.version"))
        .isNotBlank();
    assertThat(labels.path("org.opencontainers.image.source").asText()).isNotBlank();
    assertThat(labels.path("org.opencontainers.image.licenses").asText()).isNotBlank();
    assertThat(Files.size(ImageArchive.path())).as("archive size").isPositive();
  }

  private static List<String> strings(JsonNode array) {
    return ImageArchive.strings(array);
  }
}
