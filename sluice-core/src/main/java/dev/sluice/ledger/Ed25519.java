package dev.sluice.ledger;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * Raw 32-byte Ed25519 keys on top of the JDK's provider, which only speaks PKCS#8 and X.509. The
 * encodings of Ed25519 keys are a fixed DER prefix followed by the raw bytes (RFC 8410), so raw
 * keys are converted by adding or stripping that prefix. Thread-safe: stateless.
 */
final class Ed25519 {

  static final int KEY_SIZE = 32;
  static final int SIGNATURE_SIZE = 64;

  private static final byte[] PKCS8_PREFIX = hex("302e020100300506032b657004220420");
  private static final byte[] X509_PREFIX = hex("302a300506032b6570032100");

  private Ed25519() {}

  /** The private key for a 32-byte seed. */
  static PrivateKey privateKey(byte[] seed) {
    checkSize(seed, "seed");
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK rejected an Ed25519 seed", e);
    }
  }

  /** The public key for a raw 32-byte public key. */
  static PublicKey publicKey(byte[] raw) {
    checkSize(raw, "public key");
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, raw)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK rejected an Ed25519 public key", e);
    }
  }

  /**
   * The raw public key of a seed. The JDK cannot derive it directly, so the key-pair generator is
   * fed the seed as its "random" private key, which is exactly how RFC 8032 keys are generated.
   */
  static byte[] publicKeyOf(byte[] seed) {
    checkSize(seed, "seed");
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
      g.initialize(NamedParameterSpec.ED25519, new FixedBytes(seed));
      KeyPair pair = g.generateKeyPair();
      byte[] x509 = pair.getPublic().getEncoded();
      return Arrays.copyOfRange(x509, x509.length - KEY_SIZE, x509.length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no Ed25519", e);
    }
  }

  /** A fresh random seed. */
  static byte[] newSeed(SecureRandom random) {
    byte[] seed = new byte[KEY_SIZE];
    random.nextBytes(seed);
    return seed;
  }

  static byte[] sign(PrivateKey key, byte[] message) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    if (signature.length != SIGNATURE_SIZE) {
      return false;
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(message);
      return s.verify(signature);
    } catch (SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 verification failed to run", e);
    }
  }

  private static void checkSize(byte[] b, String what) {
    if (b.length != KEY_SIZE) {
      throw new IllegalArgumentException("an Ed25519 " + what + " is 32 bytes, got " + b.length);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }

  /** A "random" source that returns one fixed 32-byte value: the seed being turned into a key. */
  private static final class FixedBytes extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] value;

    FixedBytes(byte[] value) {
      this.value = value.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      if (bytes.length != value.length) {
        throw new IllegalStateException("expected a request for " + value.length + " bytes");
      }
      System.arraycopy(value, 0, bytes, 0, bytes.length);
    }
  }
}
