package dev.sluice.cli;

import dev.sluice.ledger.InvalidNoteException;
import dev.sluice.ledger.NoteVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a {@code --vkey} argument: a file holding a verifier key, or the key text itself. */
final class VerifierKeys {

  private VerifierKeys() {}

  static NoteVerifier parse(String arg) throws IOException, InvalidNoteException {
    Path file = Path.of(arg);
    String text =
        Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : arg;
    return NoteVerifier.parse(text);
  }
}
