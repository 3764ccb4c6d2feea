package dev.sluice.ledger;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The Ed25519 keys of change-control operators, as text (see {@code docs/formats/approval-v1.md}).
 *
 * <ul>
 *   <li>A public key is {@code ed25519:} followed by the standard base64 (with padding) of the raw
 *       32-byte key: the one line of {@code NAME.pub} and the value of {@code
 *       change_control.operators.NAME}.
 *   <li>A private key file ({@code NAME.key}, mode 0600) is one line {@code sluice-operator-key-v1
 *       NAME BASE64SEED} where the seed is the raw 32-byte RFC 8032 private key.
 * </ul>
 *
 * <p>Signing and verifying use the JDK's Ed25519 through {@link Ed25519}, as the ledger's own
 * checkpoints do. Thread-safe: stateless.
 */
public final class OperatorKeys {

  /** The prefix of a public key's text. */
  public static final String PUBLIC_PREFIX = "ed25519:";

  /** The first word of a private key file. */
  public static final String PRIVATE_MAGIC = "sluice-operator-key-v1";

  /** Operator names: they appear in approvals, ledger entries and file names. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

  private OperatorKeys() {}

  /** A private key: the operator's name and the 32-byte seed. */
  public record Private(String name, byte[] seed) {
    public Private {
      checkName(name);
      if (seed.length != Ed25519.KEY_SIZE) {
        throw new IllegalArgumentException("an Ed25519 seed is 32 bytes, got " + seed.length);
      }
      seed = seed.clone();
    }

    @Override
    public byte[] seed() {
      return seed.clone();
    }

    /** The public key's text, {@code ed25519:BASE64}. */
    public String publicText() {
      return encodePublic(Ed25519.publicKeyOf(seed));
    }

    /** The Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
      return Ed25519.sign(Ed25519.privateKey(seed), message);
    }

    /** The one line of the key file, without its newline. */
    public String encode() {
      return PRIVATE_MAGIC + " " + name + " " + Base64.getEncoder().encodeToString(seed);
    }
  }

  /** A new key for operator {@code name}. */
  public static Private generate(String name, SecureRandom random) {
    return new Private(name, Ed25519.newSeed(random));
  }

  /** Parses a private key file's text (one line, a trailing newline allowed). */
  public static Private parsePrivate(String text) {
    String line = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    String[] parts = line.split(" ", -1);
    if (parts.length != 3 || !parts[0].equals(PRIVATE_MAGIC)) {
      throw new IllegalArgumentException(
          "not an operator key: expected one line '" + PRIVATE_MAGIC + " NAME BASE64SEED'");
    }
    byte[] seed;
    try {
      seed = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the seed of the operator key is not base64");
    }
    return new Private(parts[1], seed);
  }

  /** The raw 32 bytes of a public key's text; the message says what is wrong. */
  public static byte[] parsePublic(String text) {
    if (text == null || !text.startsWith(PUBLIC_PREFIX)) {
      throw new IllegalArgumentException(
          "an operator key is 'ed25519:' and the base64 of 32 bytes, as written by `sluice"
              + " operator keygen` into NAME.pub");
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(text.substring(PUBLIC_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key after 'ed25519:' is not base64");
    }
    if (raw.length != Ed25519.KEY_SIZE || !encodePublic(raw).equals(text)) {
      throw new IllegalArgumentException(
          "the key after 'ed25519:' must be the padded base64 of 32 bytes, got "
              + raw.length
              + " bytes");
    }
    return raw;
  }

  /** {@code ed25519:BASE64} of a raw public key. */
  public static String encodePublic(byte[] raw) {
    return PUBLIC_PREFIX + Base64.getEncoder().encodeToString(raw);
  }

  /** True when {@code signature} is {@code publicText}'s signature of {@code text} (UTF-8). */
  public static boolean verify(String publicText, String text, byte[] signature) {
    byte[] raw;
    try {
      raw = parsePublic(publicText);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return Ed25519.verify(Ed25519.publicKey(raw), text.getBytes(StandardCharsets.UTF_8), signature);
  }

  /** Checks an operator name; the message names the rule. */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "an operator name is 1..64 characters of a-z, 0-9, '_', '.', '-', starting with a"
              + " letter or digit");
    }
    return name;
  }
}
