package dev.sluice.bench.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes delivered per key (a tenant name, or a label in parentheses for bytes that are no tenant's
 * egress, such as the gateway's own answers). Thread-safe.
 *
 * <p>File format ({@link #writeTo}): one line per key, {@code KEY<TAB>BYTES}, sorted by key,
 * written to a temporary file and moved into place, so a reader sees the previous or the new tally
 * whole.
 */
final class Tally {
  private final Map<String, LongAdder> bytes = new ConcurrentHashMap<>();

  void add(String key, long n) {
    if (n > 0) {
      bytes.computeIfAbsent(key, k -> new LongAdder()).add(n);
    }
  }

  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    bytes.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  void writeTo(Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    snapshot().forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, sb, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
