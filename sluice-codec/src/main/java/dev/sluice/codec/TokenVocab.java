package dev.sluice.codec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * What the common BPE vocabularies (o200k_base of GPT-4o, cl100k_base of GPT-4; the tiktoken files
 * inside jtokkit) say about a piece of text: whether it is a prefix of some token, a whole token,
 * or a token that a longer one extends. A server sends one token (or a few) per event, so where an
 * event's text ends is where its tokenizer cuts; these facts let the text coder predict that cut,
 * and learn which vocabulary a stream uses.
 *
 * <p>One table of 64-bit hashes of every token prefix ({@link #step} from 0 over its bytes), with
 * three flag bits per vocabulary, shared by the process (8 MiB), built once. Both ends of a link
 * must use the same vocabularies: the files' SHA-256 are checked against the ones this code was
 * written for, and a mismatch fails loudly.
 */
final class TokenVocab {
  static final int PREFIX = 1;
  static final int TOKEN = 2;
  static final int EXTENDS = 4;

  /** The vocabularies, in flag order (vocabulary {@code v}'s flags are shifted by {@code 3v}). */
  static final String[] NAMES = {"o200k_base", "cl100k_base"};

  private static final String[] SHA256 = {
    "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
  };

  private static final int BITS = 20;
  private static final long FLAG_MASK = 0x3F;

  private static volatile TokenVocab shared;

  private final long[] table = new long[1 << BITS];

  /** The process's table, built on first use (about a second). */
  static TokenVocab shared() {
    TokenVocab v = shared;
    if (v == null) {
      synchronized (TokenVocab.class) {
        v = shared;
        if (v == null) {
          v = new TokenVocab();
          shared = v;
        }
      }
    }
    return v;
  }

  private TokenVocab() {
    for (int v = 0; v < NAMES.length; v++) {
      load(v);
    }
  }

  /** The hash of a piece of text one byte longer: start from 0, step over every byte. */
  static long step(long h, int b) {
    return (h + b + 1) * 0x9E37_79B9_7F4A_7C15L;
  }

  /** The flags of the text whose hash is {@code h}: 0 if no vocabulary has it as a prefix. */
  int flags(long h) {
    long key = key(h);
    int i = slot(h);
    while (true) {
      long e = table[i];
      if (e == 0) {
        return 0;
      }
      if ((e & ~FLAG_MASK) == key) {
        return (int) (e & FLAG_MASK);
      }
      i = (i + 1) & ((1 << BITS) - 1);
    }
  }

  private static long key(long h) {
    long k = h & ~FLAG_MASK;
    return k == 0 ? 0x40 : k;
  }

  private static int slot(long h) {
    return (int) ((h ^ (h >>> 29)) * 0xBF58_476D_1CE4_E5B9L >>> (64 - BITS));
  }

  private void put(long h, int flags) {
    long key = key(h);
    int i = slot(h);
    while (true) {
      long e = table[i];
      if (e == 0) {
        table[i] = key | flags;
        return;
      }
      if ((e & ~FLAG_MASK) == key) {
        table[i] = e | flags;
        return;
      }
      i = (i + 1) & ((1 << BITS) - 1);
    }
  }

  private void load(int v) {
    String resource = "/com/knuddels/jtokkit/" + NAMES[v] + ".tiktoken";
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
    try (InputStream raw = TokenVocab.class.getResourceAsStream(resource)) {
      if (raw == null) {
        throw new IllegalStateException("the vocabulary " + resource + " is not on the class path");
      }
      byte[] all = raw.readAllBytes();
      sha.update(all);
      String digest = HexFormat.of().formatHex(sha.digest());
      if (!digest.equals(SHA256[v])) {
        throw new IllegalStateException(
            "the vocabulary "
                + NAMES[v]
                + " differs from the one this codec was built for (SHA-256 "
                + digest
                + ", expected "
                + SHA256[v]
                + "): a codec on another version would cut text differently");
      }
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(
                  new java.io.ByteArrayInputStream(all), StandardCharsets.UTF_8))) {
        Base64.Decoder b64 = Base64.getDecoder();
        int shift = 3 * v;
        for (String line; (line = r.readLine()) != null; ) {
          int sp = line.indexOf(' ');
          if (sp <= 0) {
            continue;
          }
          byte[] t = b64.decode(line.substring(0, sp));
          long h = 0;
          for (int i = 0; i < t.length; i++) {
            h = step(h, t[i] & 0xFF);
            int f = PREFIX | (i == t.length - 1 ? TOKEN : EXTENDS);
            put(h, f << shift);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the vocabulary " + resource, e);
    }
  }
}
