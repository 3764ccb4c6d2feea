package dev.sluice.ledger;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A private Ed25519 key that signs C2SP signed notes, in the signer-key text form of Go's {@code
 * golang.org/x/mod/sumdb/note}: {@code PRIVATE+KEY+<name>+<8 hex digit key ID>+<base64(0x01 ||
 * 32-byte seed)>}. The key ID is that of the matching {@link NoteVerifier}.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the seed.
 */
public final class NoteSigner {

  private static final String PREFIX = "PRIVATE+KEY+";

  private final byte[] seed;
  private final NoteVerifier verifier;
  private final PrivateKey key;

  private NoteSigner(String name, byte[] seed) {
    this.seed = seed.clone();
    this.verifier = new NoteVerifier(name, Ed25519.publicKeyOf(seed));
    this.key = Ed25519.privateKey(seed);
  }

  /** A new random key called {@code name}. */
  public static NoteSigner generate(String name, SecureRandom random) {
    return new NoteSigner(NoteVerifier.checkName(name), Ed25519.newSeed(random));
  }

  /** The key with this 32-byte seed, e.g. for tests and golden files. */
  public static NoteSigner fromSeed(String name, byte[] seed) {
    return new NoteSigner(NoteVerifier.checkName(name), seed);
  }

  /** Parses a signer key; throws if malformed or if the key ID does not match the key. */
  public static NoteSigner parse(String skey) throws InvalidNoteException {
    if (!skey.startsWith(PREFIX)) {
      throw new InvalidNoteException("a signer key starts with " + PREFIX);
    }
    String[] parts = skey.substring(PREFIX.length()).split("\\+", 3);
    if (parts.length != 3) {
      throw new InvalidNoteException("a signer key is PRIVATE+KEY+<name>+<key id>+<key>");
    }
    NoteSigner s;
    try {
      s = new NoteSigner(parts[0], NoteVerifier.decodeKey(parts[2], "signer key"));
    } catch (IllegalArgumentException e) {
      throw new InvalidNoteException(e.getMessage());
    }
    if (!s.encode().equals(skey)) {
      throw new InvalidNoteException(
          "signer key for " + parts[0] + " does not match its key ID " + parts[1]);
    }
    return s;
  }

  public String name() {
    return verifier.name();
  }

  /** The public half. */
  public NoteVerifier verifier() {
    return verifier;
  }

  /** The secret text form; write it only to a file only its owner can read. */
  public String encode() {
    return PREFIX
        + name()
        + "+"
        + NoteVerifier.hexId(verifier.keyId())
        + "+"
        + NoteVerifier.encodeKey(seed);
  }

  /**
   * Signs {@code text} (non-empty, ending in a newline) and returns the signed note: the text, a
   * blank line and one signature line.
   */
  public String sign(String text) {
    SignedNote.checkText(text);
    byte[] sig = Ed25519.sign(key, text.getBytes(StandardCharsets.UTF_8));
    byte[] idAndSig = new byte[4 + sig.length];
    int id = verifier.keyId();
    for (int i = 0; i < 4; i++) {
      idAndSig[i] = (byte) (id >>> (24 - 8 * i));
    }
    System.arraycopy(sig, 0, idAndSig, 4, sig.length);
    return text
        + "\n"
        + SignedNote.SIGNATURE_PREFIX
        + name()
        + " "
        + Base64.getEncoder().encodeToString(idAndSig)
        + "\n";
  }

  @Override
  public String toString() {
    return "NoteSigner{" + verifier.encode() + "}";
  }
}
