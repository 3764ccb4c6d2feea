package dev.sluice.app;

import dev.sluice.config.DetectionConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.ZoneConfig;
import dev.sluice.detect.fingerprint.ChunkParams;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintIndexFile;
import dev.sluice.detect.fingerprint.IndexFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the fingerprint indexes that the {@code detection} sections name (the site's and the
 * zones'), each file once, before anything is opened: a missing, unreadable or corrupt index stops
 * the start with the key, the file and the byte offset of the problem.
 */
final class DetectionIndexes {

  private static final Logger log = LoggerFactory.getLogger(DetectionIndexes.class);

  private DetectionIndexes() {}

  static Map<Path, FingerprintIndex> load(SluiceConfig config) throws NodeStartException {
    Map<Path, String> wanted = new LinkedHashMap<>();
    add(wanted, config.detection(), "detection.index");
    for (ZoneConfig z : config.budgets().zones().values()) {
      add(wanted, config.detection(z.name()), "budgets.zones." + z.name() + ".detection.index");
    }
    Map<Path, FingerprintIndex> out = new LinkedHashMap<>();
    for (Map.Entry<Path, String> w : wanted.entrySet()) {
      out.put(w.getKey(), load(w.getKey(), w.getValue()));
    }
    return out;
  }

  private static void add(Map<Path, String> wanted, DetectionConfig d, String key) {
    if (d.index() != null) {
      wanted.putIfAbsent(d.index(), key);
    }
  }

  private static FingerprintIndex load(Path file, String key) throws NodeStartException {
    String where = key + " " + file.toAbsolutePath();
    try {
      FingerprintIndex index = FingerprintIndexFile.read(file);
      if (index.scheme().maxSpan() > ChunkParams.DEFAULT.max()) {
        throw new NodeStartException(
            where
                + ": segments or chunks of up to "
                + index.scheme().maxSpan()
                + " bytes are longer than the scan stage holds back ("
                + ChunkParams.DEFAULT.max()
                + "); rebuild the index with the default sizes",
            null);
      }
      log.info(
          "detection index {}: {} entries of {} files, {} bytes in memory",
          file,
          index.size(),
          index.files().size(),
          index.memoryBytes());
      return index;
    } catch (IndexFormatException e) {
      throw new NodeStartException(where + ": corrupt fingerprint index at " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw new NodeStartException(where + ": cannot read the fingerprint index: " + e, e);
    }
  }
}
