package dev.sluice.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;

/**
 * The ledger's key files. The private key ({@code <dataDir>/ledger.key} unless configured) holds
 * one line in the note signer format {@code PRIVATE+KEY+<name>+<id>+<seed>}; when neither
 * configured nor present it is generated on first start, created with mode 0600 (the mode is set
 * atomically at creation, never by a later chmod). The ledger directory holds only the public
 * {@code ledger.vkey}, so it can be handed to an auditor. Thread-safe: stateless.
 */
final class LedgerKeys {

  static final String KEY_FILE = "ledger.key";
  static final String VKEY_FILE = "ledger.vkey";

  private LedgerKeys() {}

  /** Loads the signing key of {@code options}, generating the default one if it is missing. */
  static NoteSigner loadOrCreate(LedgerOptions options) throws IOException {
    Path file = options.signingKeyFile();
    if (Files.exists(file)) {
      return readSigner(file);
    }
    if (options.signingKey().isPresent()) {
      throw new IOException("signing key file " + file + " does not exist");
    }
    NoteSigner signer = NoteSigner.generate(options.origin(), new SecureRandom());
    Files.createDirectories(file.toAbsolutePath().getParent());
    writeSecret(file, signer.encode() + "\n");
    return signer;
  }

  static NoteSigner readSigner(Path file) throws IOException {
    try {
      return NoteSigner.parse(oneLine(file, "signing key"));
    } catch (InvalidNoteException e) {
      throw new IOException("signing key file " + file + " is malformed: " + e.getMessage(), e);
    }
  }

  /** Reads a verifier key file: one line, optionally ending in a newline. */
  static NoteVerifier readVerifier(Path file) throws IOException, InvalidNoteException {
    return NoteVerifier.parse(oneLine(file, "verifier key"));
  }

  static void writeVerifier(LedgerIo io, Path file, NoteVerifier v) throws IOException {
    AtomicFiles.write(
        io, file, ByteBuffer.wrap((v.encode() + "\n").getBytes(StandardCharsets.UTF_8)));
  }

  // The file's text without one trailing newline; key texts are ASCII, anything else is malformed.
  private static String oneLine(Path file, String what) throws IOException, InvalidNoteException {
    byte[] b = Files.readAllBytes(file);
    for (byte x : b) {
      if (x < 0x20 && x != '\n' || x >= 0x7F || x < 0) {
        throw new InvalidNoteException(
            what + " holds a byte that is not printable ASCII: 0x" + Integer.toHexString(x & 0xFF));
      }
    }
    String s = new String(b, StandardCharsets.US_ASCII);
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  private static void writeSecret(Path file, String text) throws IOException {
    EnumSet<StandardOpenOption> opts =
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileAttribute<?>[] attrs =
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
            }
            : new FileAttribute<?>[0];
    try (FileChannel ch = FileChannel.open(file, opts, attrs)) {
      ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    AtomicFiles.fsyncDirectory(file.toAbsolutePath().getParent());
  }
}
