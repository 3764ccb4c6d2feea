package dev.sluice.ledger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * A public Ed25519 key that checks C2SP signed notes, in the verifier-key text form of Go's {@code
 * golang.org/x/mod/sumdb/note}: {@code <name>+<8 hex digit key ID>+<base64(0x01 || 32-byte public
 * key)>}. The key ID is the first four bytes of SHA-256(name || 0x0A || 0x01 || public key).
 *
 * <p>Parsing is canonical: the text must be exactly what {@link #encode()} produces (lower-case
 * hex, canonical base64), so a changed character is never silently accepted. Immutable and
 * thread-safe.
 */
public final class NoteVerifier {

  static final byte ALG_ED25519 = 0x01;

  private final String name;
  private final int keyId;
  private final byte[] publicKey;
  private final PublicKey key;

  NoteVerifier(String name, byte[] publicKey) {
    this.name = checkName(name);
    this.publicKey = publicKey.clone();
    this.keyId = keyId(name, publicKey);
    this.key = Ed25519.publicKey(publicKey);
  }

  /** Parses a verifier key; throws if it is malformed or its key ID does not match. */
  public static NoteVerifier parse(String vkey) throws InvalidNoteException {
    String[] parts = vkey.split("\\+", 3);
    if (parts.length != 3) {
      throw new InvalidNoteException("a verifier key is <name>+<key id>+<key>, got: " + vkey);
    }
    byte[] key = decodeKey(parts[2], "verifier key");
    NoteVerifier v;
    try {
      v = new NoteVerifier(parts[0], key);
    } catch (IllegalArgumentException e) {
      throw new InvalidNoteException(e.getMessage());
    }
    if (!v.encode().equals(vkey)) {
      throw new InvalidNoteException(
          "verifier key " + vkey + " does not match its key ID (expected " + v.encode() + ")");
    }
    return v;
  }

  public String name() {
    return name;
  }

  /** The 32-bit key ID, as stored big-endian in front of each signature. */
  public int keyId() {
    return keyId;
  }

  /** The text form {@code <name>+<key id>+<base64 key>}. */
  public String encode() {
    return name + "+" + hexId(keyId) + "+" + encodeKey(publicKey);
  }

  /**
   * Checks that {@code note} carries a valid signature by this key and returns the signed text.
   * Signatures by other keys are ignored, as C2SP requires.
   */
  public String open(String note) throws InvalidNoteException {
    SignedNote parsed = SignedNote.parse(note);
    byte[] text = parsed.text().getBytes(StandardCharsets.UTF_8);
    for (SignedNote.Signature s : parsed.signatures()) {
      if (s.name().equals(name) && s.keyId() == keyId) {
        if (!Ed25519.verify(key, text, s.signature())) {
          throw new InvalidNoteException("invalid signature by key " + name + "+" + hexId(keyId));
        }
        return parsed.text();
      }
    }
    throw new InvalidNoteException("note is not signed by key " + name + "+" + hexId(keyId));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NoteVerifier v
        && v.name.equals(name)
        && Arrays.equals(v.publicKey, publicKey);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(publicKey);
  }

  @Override
  public String toString() {
    return encode();
  }

  /** SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian. */
  static int keyId(String name, byte[] publicKey) {
    MessageDigest sha = MerkleHasher.newSha256();
    sha.update(name.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) '\n');
    sha.update(ALG_ED25519);
    sha.update(publicKey);
    return ByteBuffer.wrap(sha.digest()).getInt();
  }

  static String hexId(int keyId) {
    return String.format("%08x", keyId);
  }

  /** Key names are non-empty and contain no whitespace, control characters or '+'. */
  static String checkName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("key name must not be empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '+'
          || c < 0x20
          || c == 0x7F
          || Character.isWhitespace(c)
          || Character.isSpaceChar(c)) {
        throw new IllegalArgumentException(
            "key name must not contain spaces, control characters or '+': " + name);
      }
    }
    return name;
  }

  static String encodeKey(byte[] raw) {
    byte[] b = new byte[1 + raw.length];
    b[0] = ALG_ED25519;
    System.arraycopy(raw, 0, b, 1, raw.length);
    return Base64.getEncoder().encodeToString(b);
  }

  /** Decodes base64(0x01 || 32 bytes), checking the algorithm byte and the length. */
  static byte[] decodeKey(String b64, String what) throws InvalidNoteException {
    byte[] b;
    try {
      b = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new InvalidNoteException(what + " is not base64: " + b64);
    }
    if (b.length != 1 + Ed25519.KEY_SIZE || b[0] != ALG_ED25519) {
      throw new InvalidNoteException(what + " is not an Ed25519 key (algorithm 1, 32 bytes)");
    }
    return Arrays.copyOfRange(b, 1, b.length);
  }
}
