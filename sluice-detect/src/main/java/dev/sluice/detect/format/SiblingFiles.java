package dev.sluice.detect.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Resolves a file name that one weight file gives for another (ONNX external data, TF.js shards)
 * against the directory of the first, refusing absolute names and names that leave that directory,
 * also through {@code ..} or symbolic links: a model must not make the reader (and so the index)
 * take in {@code /etc/shadow}.
 */
final class SiblingFiles {
  private SiblingFiles() {}

  /**
   * The regular file {@code name} next to {@code referrer}.
   *
   * @param what what the name is, for the error ({@code "external data of tensor x"})
   * @param at the offset in {@code referrer} where the name was found
   */
  static Path resolve(Path referrer, String name, String what, long at) throws IOException {
    Path dir = referrer.toAbsolutePath().normalize().getParent();
    Path rel;
    try {
      rel = Path.of(name);
    } catch (InvalidPathException e) {
      throw new FormatException(referrer, at, what + ": bad file name '" + name + "'");
    }
    Path target = dir.resolve(rel).normalize();
    if (name.isEmpty() || rel.isAbsolute() || !target.startsWith(dir) || target.equals(dir)) {
      throw new FormatException(referrer, at, what + ": file name '" + name + "' leaves " + dir);
    }
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FormatException(referrer, at, what + ": file " + target + " not found");
    }
    if (!target.toRealPath().startsWith(dir.toRealPath())) {
      throw new FormatException(
          referrer, at, what + ": file name '" + name + "' leaves " + dir + " through a link");
    }
    if (!Files.isRegularFile(target)) {
      throw new FormatException(referrer, at, what + ": " + target + " is not a regular file");
    }
    return target;
  }
}
