package dev.sluice.transfer;

import dev.sluice.ledger.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The approved transfers of a node on the local store, saved in {@code <data_dir>/transfers} so
 * that they survive a restart (and an in-process reload whose new node is started again with the
 * previous configuration): the line {@code sluice-transfers-v1}, then one {@link TransferRecord}
 * line each (its own CRC32C). Written whole to a temp file, fsynced and renamed over the old one
 * ({@link AtomicFiles}), so a crash leaves the old or the new set. Records expired at the time of a
 * write are left out of it.
 *
 * <p>Reading is lenient in the safe direction: a line that does not parse (torn, edited, CRC
 * mismatch) is reported and skipped, so it allows nothing; so is a file with another first line.
 * The ledger keeps the authoritative history (CHANGE entries of kind {@code transfer}); this file
 * is only the node's memory across restarts, and every record read is re-checked by the caller
 * before it is honoured. Not thread-safe: the caller serialises writes.
 */
public final class TransferFile {

  /** The first line. */
  public static final String MAGIC = "sluice-transfers-v1";

  private final Path path;

  public TransferFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /**
   * The records in the file (none if it does not exist); {@code problems} hears each line skipped.
   */
  public List<TransferRecord> read(Consumer<String> problems) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) {
      problems.accept(path + ":1: not a " + MAGIC + " file; no transfer allowance read from it");
      return List.of();
    }
    List<TransferRecord> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      try {
        out.add(TransferRecord.parse(line));
      } catch (IllegalArgumentException e) {
        problems.accept(path + ":" + (i + 1) + ": skipped: " + e.getMessage());
      }
    }
    return out;
  }

  /** Replaces the file with {@code records}, leaving out those expired at {@code nowMillis}. */
  public void write(List<TransferRecord> records, long nowMillis) throws IOException {
    StringBuilder b = new StringBuilder(MAGIC).append('\n');
    for (TransferRecord r : records) {
      if (nowMillis < r.expiresMillis()) {
        b.append(r.encode()).append('\n');
      }
    }
    AtomicFiles.write(path, ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
