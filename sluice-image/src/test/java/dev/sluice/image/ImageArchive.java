package dev.sluice.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The image the build wrote, {@code target/sluice-image.tar} (an OCI image layout in a tar: {@code
 * index.json}, the manifest, the configuration and the gzip'd layers under {@code blobs/sha256/}),
 * read with the system's {@code tar}.
 */
final class ImageArchive {

  /** The image's user id, as the build set it ({@code image.uid}). */
  static final String UID = System.getProperty("image.uid", "65532");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path layout;

  private ImageArchive(Path layout) {
    this.layout = layout;
  }

  /** The archive; fails naming the build step when it is missing. */
  static Path path() {
    Path tar = Path.of(System.getProperty("image.tar", "target/sluice-image.tar"));
    if (!Files.isRegularFile(tar)) {
      throw new IllegalStateException(
          tar + " is missing: the image tests run in the verify phase, after package built it");
    }
    return tar;
  }

  /** Unpacks the archive's layout (not yet its layers) into {@code dir}. */
  static ImageArchive unpack(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    check(Tools.run(List.of("tar", "-xf", path().toString(), "-C", dir.toString())), "tar -xf");
    return new ImageArchive(dir);
  }

  private JsonNode blob(String digest) throws IOException {
    return JSON.readTree(blobPath(digest).toFile());
  }

  private Path blobPath(String digest) {
    return layout.resolve("blobs").resolve("sha256").resolve(digest.substring("sha256:".length()));
  }

  private JsonNode manifest() throws IOException {
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    return blob(index.path("manifests").path(0).path("digest").asText());
  }

  /** The image configuration's {@code config} object (User, Entrypoint, Cmd, Env, ...). */
  JsonNode config() throws IOException {
    return blob(manifest().path("config").path("digest").asText()).path("config");
  }

  /**
   * Applies every layer, in order, to {@code rootfs} as a container runtime does, keeping the
   * layers' numeric owners (which needs root) and modes.
   */
  void extractTo(Path rootfs) throws IOException, InterruptedException {
    Files.createDirectories(rootfs);
    for (JsonNode layer : manifest().path("layers")) {
      check(
          Tools.run(
              List.of(
                  "tar",
                  "-xzf",
                  blobPath(layer.path("digest").asText()).toString(),
                  "-C",
                  rootfs.toString(),
                  "--same-owner",
                  "--numeric-owner",
                  "--same-permissions",
                  "--warning=no-unknown-keyword")),
          "tar -xzf layer " + layer.path("digest").asText());
    }
  }

  /** The strings of a JSON array of the configuration. */
  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static void check(Tools.Result r, String what) {
    if (r.exit() != 0) {
      throw new IllegalStateException(what + " failed (" + r.exit() + "): " + r.output());
    }
  }
}
