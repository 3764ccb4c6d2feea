package dev.sluice.app;

import dev.sluice.codec.CodecModel;
import dev.sluice.config.SluiceConfig;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps a node's start and an in-place reload share: loading the codec model, checking the data
 * directory, and the START and {@code config} ledger entries.
 */
final class NodeSteps {

  private static final Logger log = LoggerFactory.getLogger(NodeSteps.class);

  private NodeSteps() {}

  /**
   * The egress codec model, loaded once: {@code codec.model} if configured (a file that cannot be
   * read stops the start, naming the file and the reason), else the built-in one; null when no
   * listener has {@code peer: edge} and no model is configured.
   */
  static CodecModel loadCodec(SluiceConfig config) throws NodeStartException {
    Path file = config.codec().model();
    if (file == null) {
      if (!config.hasEdgeListener()) {
        return null;
      }
      CodecModel m = CodecModel.builtIn();
      log.info("codec model: built-in (id {})", m.idHex());
      return m;
    }
    try {
      CodecModel m = CodecModel.read(file);
      log.info("codec model: {} (id {})", file, m.idHex());
      return m;
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(
          "codec.model " + file.toAbsolutePath() + ": cannot load the codec model: " + e, e);
    }
  }

  static void prepareDataDir(Path dataDir) throws NodeStartException {
    try {
      Files.createDirectories(dataDir);
      if (!Files.isWritable(dataDir)) {
        throw new AccessDeniedException(dataDir.toString());
      }
    } catch (IOException e) {
      throw new NodeStartException(
          "data_dir " + dataDir.toAbsolutePath() + " is not a writable directory: " + e, e);
    }
  }

  static LedgerEntry startEntry(SluiceConfig c, Clock clock) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown";
    }
    String version = SluiceNode.class.getPackage().getImplementationVersion();
    return LedgerEntry.builder(EntryType.START, clock.millis())
        .put("site", c.site())
        .put("host", host)
        .put("version", version == null ? "dev" : version)
        .put("time_zone", c.timeZone().getId())
        .put("mode", c.mode().name().toLowerCase(Locale.ROOT))
        .build();
  }

  /** The {@code config} entry: which configuration is in force from now on. */
  static LedgerEntry configEntry(SluiceConfig c, Clock clock) {
    return LedgerEntry.builder(EntryType.CONFIG, clock.millis())
        .put("source", c.sourceName())
        .put("sha256", c.sha256Hex())
        .put("mode", c.mode().name().toLowerCase(Locale.ROOT))
        .put("weight_bytes", c.model().weightBytes())
        .build();
  }

  static void record(Ledger ledger, LedgerEntry e) throws IOException {
    try {
      ledger.append(e).join();
    } catch (RuntimeException err) {
      throw new IOException("the ledger refused the " + e.type().label() + " entry", err);
    }
  }

  static String hostPort(InetSocketAddress a) {
    String h = a.getAddress().getHostAddress();
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
