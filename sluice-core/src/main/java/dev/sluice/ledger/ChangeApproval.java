package dev.sluice.ledger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One operator's signed approval of one change (format {@code docs/formats/approval-v1.md}). An
 * approval file is seven lines of UTF-8 text, each ending in {@code \n}:
 *
 * <pre>
 * sluice-approval-v1
 * kind: config | resume | transfer
 * operator: NAME
 * running: SHA256 of the running configuration's file bytes, lower-case hex
 * subject: SHA256 of the new file's bytes (config) | SCOPE@SINCE_MILLIS of the halt (resume)
 * expires: ISO-8601 UTC instant in whole seconds, e.g. 2026-12-06T09:00:00Z
 * signature: standard padded base64 of the 64-byte Ed25519 signature
 * </pre>
 *
 * <p>The signed message is exactly the first six lines with their newlines ({@link #signedText()}).
 * It lives in the ledger package because {@code ledger verify} re-checks every approval recorded in
 * a CHANGE entry. Several approvals may be concatenated into one text ({@link #parseAll}).
 */
public record ChangeApproval(
    String kind,
    String operator,
    String running,
    String subject,
    long expiresSeconds,
    byte[] signature) {

  /** The first line of every approval. */
  public static final String MAGIC = "sluice-approval-v1";

  /** An approval of a new configuration. */
  public static final String KIND_CONFIG = "config";

  /** An approval of lifting a halt. */
  public static final String KIND_RESUME = "resume";

  /** An approval of a large transfer (subject {@code ZONE,TENANT,BYTES,DESTINATION}). */
  public static final String KIND_TRANSFER = "transfer";

  private static final Set<String> KINDS = Set.of(KIND_CONFIG, KIND_RESUME, KIND_TRANSFER);

  public ChangeApproval {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("kind must be config, resume or transfer, got " + kind);
    }
    OperatorKeys.checkName(operator);
    if (running == null || !running.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("running must be 64 lower-case hex digits");
    }
    Objects.requireNonNull(subject, "subject");
    if (subject.isEmpty() || !subject.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("subject must be printable ASCII without spaces");
    }
    signature = signature.clone();
  }

  /** A new approval signed with {@code key}. */
  public static ChangeApproval sign(
      OperatorKeys.Private key, String kind, String running, String subject, long expiresSeconds) {
    ChangeApproval unsigned =
        new ChangeApproval(kind, key.name(), running, subject, expiresSeconds, new byte[0]);
    byte[] sig = key.sign(unsigned.signedText().getBytes(StandardCharsets.UTF_8));
    return new ChangeApproval(kind, key.name(), running, subject, expiresSeconds, sig);
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The signature in base64, as in the file and the ledger. */
  public String signatureBase64() {
    return Base64.getEncoder().encodeToString(signature);
  }

  /** The expiry as an ISO-8601 instant, as in the file. */
  public String expiresText() {
    return Instant.ofEpochSecond(expiresSeconds).toString();
  }

  /** Exactly the bytes the signature covers (as UTF-8): the first six lines. */
  public String signedText() {
    return MAGIC
        + "\nkind: "
        + kind
        + "\noperator: "
        + operator
        + "\nrunning: "
        + running
        + "\nsubject: "
        + subject
        + "\nexpires: "
        + expiresText()
        + "\n";
  }

  /** The whole file: the signed text and the signature line. */
  public String encode() {
    return signedText() + "signature: " + signatureBase64() + "\n";
  }

  /** True when the signature is {@code publicKey}'s ({@code ed25519:BASE64}). */
  public boolean verifies(String publicKey) {
    return OperatorKeys.verify(publicKey, signedText(), signature);
  }

  /**
   * Parses one or more concatenated approvals.
   *
   * @throws IllegalArgumentException naming the approval (1-based) and the line that is wrong
   */
  public static List<ChangeApproval> parseAll(String text) {
    String[] lines = text.split("\n", -1);
    List<ChangeApproval> out = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      if (lines[i].isEmpty()) {
        i++;
        continue;
      }
      if (i + 7 > lines.length) {
        throw new IllegalArgumentException(
            "approval " + (out.size() + 1) + " is cut short: an approval has 7 lines");
      }
      out.add(parse(out.size() + 1, lines, i));
      i += 7;
    }
    return out;
  }

  private static ChangeApproval parse(int n, String[] lines, int at) {
    if (!lines[at].equals(MAGIC)) {
      throw new IllegalArgumentException(
          "approval " + n + ": expected '" + MAGIC + "', got '" + lines[at] + "'");
    }
    String kind = value(n, lines[at + 1], "kind");
    String operator = value(n, lines[at + 2], "operator");
    String running = value(n, lines[at + 3], "running");
    String subject = value(n, lines[at + 4], "subject");
    String expires = value(n, lines[at + 5], "expires");
    String sig = value(n, lines[at + 6], "signature");
    long seconds;
    try {
      Instant t = Instant.parse(expires);
      if (t.getNano() != 0) {
        throw new IllegalArgumentException("approval " + n + ": expires must be whole seconds");
      }
      seconds = t.getEpochSecond();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "approval " + n + ": expires is not an ISO-8601 instant: " + expires);
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(sig);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("approval " + n + ": signature is not base64");
    }
    try {
      ChangeApproval a = new ChangeApproval(kind, operator, running, subject, seconds, signature);
      if (!a.expiresText().equals(expires) || !a.signatureBase64().equals(sig)) {
        throw new IllegalArgumentException("not in canonical form");
      }
      return a;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("approval " + n + ": " + e.getMessage());
    }
  }

  private static String value(int n, String line, String key) {
    String prefix = key + ": ";
    if (!line.startsWith(prefix)) {
      throw new IllegalArgumentException(
          "approval " + n + ": expected a line '" + prefix + "...', got '" + line + "'");
    }
    return line.substring(prefix.length());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChangeApproval a && a.encode().equals(encode());
  }

  @Override
  public int hashCode() {
    return encode().hashCode();
  }

  @Override
  public String toString() {
    return kind + " approval by " + operator + " of " + subject + " until " + expiresText();
  }
}
