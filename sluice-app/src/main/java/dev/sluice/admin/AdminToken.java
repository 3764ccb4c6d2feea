package dev.sluice.admin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The bearer token that authorises state changes ({@code /api/halt}, {@code /api/resume}) through
 * the admin API. A new one is generated at every start, 32 random bytes written as 64 hex digits to
 * {@code <data_dir>/}{@value #FILE_NAME}, so whoever can read the data directory (the operator
 * running {@code sluice run}, and the CLI on the same host) can act, and nobody else.
 *
 * <p>The file is created with mode 0600 from the start (a temporary file created with that mode,
 * fsynced, then renamed over the old token), never chmod-ed afterwards: there is no moment when
 * another user could read it. Presented tokens are compared in constant time. Thread-safe:
 * immutable.
 */
public final class AdminToken {

  /** The token file's name inside the data directory. */
  public static final String FILE_NAME = "admin.token";

  private static final int RANDOM_BYTES = 32;

  private final Path file;
  private final byte[] hex;

  private AdminToken(Path file, byte[] hex) {
    this.file = file;
    this.hex = hex;
  }

  /** The token file inside {@code dataDir}. */
  public static Path fileIn(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /**
   * Generates a new token and writes it to {@code <dataDir>/admin.token}, replacing an older one.
   */
  public static AdminToken create(Path dataDir, SecureRandom random) throws IOException {
    Objects.requireNonNull(random, "random");
    byte[] raw = new byte[RANDOM_BYTES];
    random.nextBytes(raw);
    byte[] hex = HexFormat.of().formatHex(raw).getBytes(StandardCharsets.US_ASCII);
    Path file = fileIn(dataDir);
    writeSecret(file, hex);
    return new AdminToken(file, hex);
  }

  /** Reads a token file as the CLI does: its text without surrounding white space. */
  public static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.US_ASCII).strip();
  }

  /** Where the token was written. */
  public Path file() {
    return file;
  }

  /** True when {@code presented} is this token; constant time for a presented token of its size. */
  public boolean matches(String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(hex, presented.getBytes(StandardCharsets.US_ASCII));
  }

  /** Never the token itself. */
  @Override
  public String toString() {
    return "AdminToken[" + file + "]";
  }

  private static void writeSecret(Path file, byte[] hex) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + FILE_NAME + "-", ".tmp", ownerOnly());
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.allocate(hex.length + 1).put(hex).put((byte) '\n').flip();
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  // Mode 0600 at creation where the file system has POSIX modes (the umask can only take bits
  // away); elsewhere the file inherits the directory's access rules, like the ledger key.
  private static FileAttribute<?>[] ownerOnly() {
    if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
    };
  }
}
