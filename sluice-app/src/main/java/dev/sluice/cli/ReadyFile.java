package dev.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.app.SluiceNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * The {@code --ready-file} of {@code sluice run} and {@code sluice edge}: written once every
 * listener is bound, atomically (temp file and rename), so whoever waits for it sees all of it or
 * nothing:
 *
 * <pre>
 * {"pid":1234,"admin":"127.0.0.1:9901","listeners":{"api":"127.0.0.1:8080"}}   (sluice run)
 * {"pid":1234,"listen":"127.0.0.1:7000"}                                         (sluice edge)
 * </pre>
 */
final class ReadyFile {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ReadyFile() {}

  static void write(Path file, SluiceNode node) throws IOException {
    ObjectNode root = withPid();
    root.put("admin", RunCommand.hostPort(node.admin().address()));
    ObjectNode listeners = root.putObject("listeners");
    for (Map.Entry<String, InetSocketAddress> e : node.gateway().addresses().entrySet()) {
      listeners.put(e.getKey(), RunCommand.hostPort(e.getValue()));
    }
    write(file, root);
  }

  /** The edge's: its pid and the address it listens on. */
  static void write(Path file, InetSocketAddress listen) throws IOException {
    ObjectNode root = withPid();
    root.put("listen", RunCommand.hostPort(listen));
    write(file, root);
  }

  private static ObjectNode withPid() {
    ObjectNode root = JSON.createObjectNode();
    root.put("pid", ProcessHandle.current().pid());
    return root;
  }

  private static void write(Path file, ObjectNode root) throws IOException {
    Path abs = file.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    Files.writeString(tmp, JSON.writeValueAsString(root) + "\n");
    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
