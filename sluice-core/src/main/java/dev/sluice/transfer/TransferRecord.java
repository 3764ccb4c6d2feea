package dev.sluice.transfer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * An allowance as it is kept beyond the memory of the node that made it: its approval subject
 * ({@code ZONE,TENANT,BYTES,DESTINATION}), its expiry (epoch ms, the earliest expiry of the
 * approvals that counted) and the approval files that counted, concatenated (the {@code
 * sluice-approval-v1} text, signatures included). Whoever reads a record re-checks the approvals
 * against its own running configuration and clock before honouring it, so a record is evidence, not
 * an authority: a record whose approvals do not verify (another configuration hash, another
 * operator key, expired, tampered with) allows nothing.
 *
 * <p>Encoding (one line, ASCII, no line break): {@code v1 EXPIRES SUBJECT APPROVALS CRC}, fields
 * separated by one space: {@code EXPIRES} decimal epoch ms; {@code SUBJECT} printable ASCII without
 * spaces; {@code APPROVALS} the approval texts in UTF-8, standard Base64 with padding; {@code CRC}
 * the CRC32C of every byte before the space that precedes it, 8 lower-case hex digits. A line that
 * does not parse or whose CRC differs is rejected with an {@link IllegalArgumentException} naming
 * what is wrong.
 */
public record TransferRecord(String subject, long expiresMillis, String approvals) {

  private static final String VERSION = "v1";

  public TransferRecord {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(approvals, "approvals");
    TransferAllowance.parse(subject, expiresMillis); // checks the subject
  }

  /** The one-line encoding (without a line break). */
  public String encode() {
    String body =
        VERSION
            + " "
            + expiresMillis
            + " "
            + subject
            + " "
            + Base64.getEncoder().encodeToString(approvals.getBytes(StandardCharsets.UTF_8));
    return body + " " + crc(body);
  }

  /**
   * Parses {@link #encode}'s line.
   *
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public static TransferRecord parse(String line) {
    int last = line.lastIndexOf(' ');
    if (last < 0) {
      throw new IllegalArgumentException("not a transfer record (no CRC field)");
    }
    String body = line.substring(0, last);
    String want = line.substring(last + 1);
    if (!crc(body).equals(want)) {
      throw new IllegalArgumentException(
          "CRC32C mismatch: the record says " + want + ", its bytes give " + crc(body));
    }
    String[] f = body.split(" ", -1);
    if (f.length != 4 || !f[0].equals(VERSION)) {
      throw new IllegalArgumentException(
          "expected v1 EXPIRES SUBJECT APPROVALS CRC, got " + f.length + " fields");
    }
    long expires;
    try {
      expires = Long.parseLong(f[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expiry " + f[1] + " is not a number");
    }
    String approvals;
    try {
      approvals = new String(Base64.getDecoder().decode(f[3]), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("approvals are not Base64: " + e.getMessage());
    }
    return new TransferRecord(f[2], expires, approvals);
  }

  /**
   * A name for this record that any node computes alike: SHA-256 of the encoding, 32 hex digits.
   */
  public String key() {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(encode().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  private static String crc(String body) {
    CRC32C c = new CRC32C();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    return String.format("%08x", c.getValue());
  }
}
