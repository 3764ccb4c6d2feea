package dev.sluice.ledger;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A parsed C2SP signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, then
 * one or more lines {@code "— <key name> <base64(4-byte key ID || signature)>"} (em dash U+2014).
 * Parsing checks the syntax only; {@link NoteVerifier#open} checks signatures. Immutable.
 *
 * @param text the signed text, including its final newline
 * @param signatures the signature lines in order
 */
public record SignedNote(String text, List<Signature> signatures) {

  static final String SIGNATURE_PREFIX = "\u2014 ";
  private static final int MAX_SIGNATURES = 16;

  /** One signature line. */
  public record Signature(String name, int keyId, byte[] signature) {
    public Signature {
      signature = signature.clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Signature s
          && s.name.equals(name)
          && s.keyId == keyId
          && Arrays.equals(s.signature, signature);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + keyId;
    }

    @Override
    public String toString() {
      return name + "+" + NoteVerifier.hexId(keyId);
    }
  }

  public SignedNote {
    signatures = List.copyOf(signatures);
  }

  /** Parses a signed note strictly; throws with the reason when it is malformed. */
  public static SignedNote parse(String note) throws InvalidNoteException {
    for (int i = 0; i < note.length(); i++) {
      char c = note.charAt(i);
      if ((c < 0x20 && c != '\n') || c == 0x7F) {
        throw new InvalidNoteException(
            "note holds control character 0x" + Integer.toHexString(c) + " at char " + i);
      }
    }
    int split = note.lastIndexOf("\n\n");
    if (split < 0 || !note.endsWith("\n")) {
      throw new InvalidNoteException("note has no blank line before its signatures");
    }
    String text = note.substring(0, split + 1);
    String[] lines = note.substring(split + 2, note.length() - 1).split("\n", -1);
    if (lines.length > MAX_SIGNATURES) {
      throw new InvalidNoteException("note has more than " + MAX_SIGNATURES + " signatures");
    }
    List<Signature> sigs = new ArrayList<>();
    for (String line : lines) {
      sigs.add(parseSignature(line));
    }
    return new SignedNote(text, sigs);
  }

  private static Signature parseSignature(String line) throws InvalidNoteException {
    if (!line.startsWith(SIGNATURE_PREFIX)) {
      throw new InvalidNoteException("signature line does not start with an em dash: " + line);
    }
    String rest = line.substring(SIGNATURE_PREFIX.length());
    int space = rest.indexOf(' ');
    if (space <= 0) {
      throw new InvalidNoteException("signature line has no key name: " + line);
    }
    String name = rest.substring(0, space);
    String b64 = rest.substring(space + 1);
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new InvalidNoteException("signature of " + name + " is not base64");
    }
    if (raw.length < 5 || !Base64.getEncoder().encodeToString(raw).equals(b64)) {
      throw new InvalidNoteException("signature of " + name + " is malformed");
    }
    int keyId =
        (raw[0] & 0xFF) << 24 | (raw[1] & 0xFF) << 16 | (raw[2] & 0xFF) << 8 | (raw[3] & 0xFF);
    return new Signature(name, keyId, Arrays.copyOfRange(raw, 4, raw.length));
  }

  /** Note texts are non-empty, end in a newline and hold no control characters but newlines. */
  static void checkText(String text) {
    if (text.isEmpty() || !text.endsWith("\n")) {
      throw new IllegalArgumentException("note text must end with a newline");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\n') || c == 0x7F) {
        throw new IllegalArgumentException("note text must not hold control characters");
      }
    }
  }
}
