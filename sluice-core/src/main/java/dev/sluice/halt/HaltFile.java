package dev.sluice.halt;

import dev.sluice.ledger.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The halts in force, saved in {@code <data_dir>/halts}: one line per halt, {@code
 * scope<TAB>since-epoch-ms<TAB>reason<TAB>fleet-revision} (UTF-8; tabs and newlines in the reason
 * are replaced by spaces). {@code fleet-revision} is the etcd create revision of the fleet halt key
 * the halt matches ({@code 0}: not published to the fleet); lines written before it existed have
 * three fields and read as {@code 0}. Written to a temp file, fsynced and renamed over the old one,
 * so a crash leaves the old or the new state. The ledger records every halt and resume; this file
 * only makes them survive a restart.
 */
final class HaltFile {

  private final Path path;

  HaltFile(Path path) {
    this.path = path;
  }

  Path path() {
    return path;
  }

  List<HaltState.Halt> read() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    List<HaltState.Halt> out = new ArrayList<>();
    int n = 0;
    for (String line : lines) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 3 && f.length != 4) {
        throw new IOException(
            path + ":" + n + ": expected scope, time, reason and fleet revision: " + line);
      }
      long since;
      try {
        since = Long.parseLong(f[1]);
      } catch (NumberFormatException e) {
        throw new IOException(path + ":" + n + ": bad time " + f[1], e);
      }
      long revision = 0;
      if (f.length == 4) {
        try {
          revision = Long.parseLong(f[3]);
        } catch (NumberFormatException e) {
          throw new IOException(path + ":" + n + ": bad fleet revision " + f[3], e);
        }
        if (revision < 0) {
          throw new IOException(path + ":" + n + ": bad fleet revision " + f[3]);
        }
      }
      out.add(new HaltState.Halt(f[0], f[2], since, revision));
    }
    return out;
  }

  void write(List<HaltState.Halt> halts) throws IOException {
    StringBuilder b = new StringBuilder();
    for (HaltState.Halt h : halts) {
      b.append(h.scope())
          .append('\t')
          .append(h.sinceMillis())
          .append('\t')
          .append(h.reason().replaceAll("[\\t\\r\\n]", " "))
          .append('\t')
          .append(h.fleetRevision())
          .append('\n');
    }
    Files.createDirectories(path.toAbsolutePath().getParent());
    AtomicFiles.write(path, ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
