package dev.sluice.ledger;

/**
 * A signed statement of the ledger's Merkle tree at one size: a C2SP {@code tlog-checkpoint}
 * (c2sp.org/tlog-checkpoint) inside a signed note. The note text is exactly four lines:
 *
 * <pre>
 * &lt;origin&gt;
 * &lt;tree size, decimal, no leading zeros&gt;
 * &lt;root hash, base64&gt;
 * time &lt;signing time, {@link LedgerTime} format&gt;
 * </pre>
 *
 * <p>The fourth line is a checkpoint extension line: it is signed, so an auditor knows when the log
 * committed to the tree. The signing key's name is the origin.
 *
 * @param origin the log's identity, also the key name
 * @param size number of entries covered
 * @param root RFC 6962 root of those entries
 * @param timeMillis when the checkpoint was signed, epoch ms
 * @param note the complete signed note, as stored and as handed to auditors
 */
public record Checkpoint(String origin, long size, Hash root, long timeMillis, String note) {

  private static final String TIME_PREFIX = "time ";

  /** Signs a checkpoint with {@code signer}, whose name is used as the origin. */
  public static Checkpoint sign(NoteSigner signer, long size, Hash root, long timeMillis) {
    String text =
        signer.name()
            + "\n"
            + size
            + "\n"
            + root.base64()
            + "\n"
            + TIME_PREFIX
            + LedgerTime.format(timeMillis)
            + "\n";
    return new Checkpoint(signer.name(), size, root, timeMillis, signer.sign(text));
  }

  /**
   * Verifies {@code note} with {@code verifier} and parses its text strictly.
   *
   * @throws InvalidNoteException if the signature does not verify or the text is not a Sluice
   *     checkpoint whose origin is the key's name
   */
  public static Checkpoint open(String note, NoteVerifier verifier) throws InvalidNoteException {
    String text = verifier.open(note);
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length != 4) {
      throw new InvalidNoteException("checkpoint text has " + lines.length + " lines, expected 4");
    }
    if (!lines[0].equals(verifier.name())) {
      throw new InvalidNoteException(
          "checkpoint origin " + lines[0] + " is not the key name " + verifier.name());
    }
    long size = parseSize(lines[1]);
    Hash root;
    try {
      root = Hash.fromBase64(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new InvalidNoteException("checkpoint root hash is malformed: " + e.getMessage());
    }
    if (!lines[3].startsWith(TIME_PREFIX)) {
      throw new InvalidNoteException("checkpoint has no time line: " + lines[3]);
    }
    long time;
    try {
      time = LedgerTime.parse(lines[3].substring(TIME_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new InvalidNoteException("checkpoint time is malformed: " + e.getMessage());
    }
    return new Checkpoint(lines[0], size, root, time, note);
  }

  private static long parseSize(String s) throws InvalidNoteException {
    boolean digits = !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    if (!digits || (s.length() > 1 && s.charAt(0) == '0') || s.length() > 19) {
      throw new InvalidNoteException("checkpoint tree size is not a canonical decimal: " + s);
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new InvalidNoteException("checkpoint tree size is out of range: " + s);
    }
  }

  @Override
  public String toString() {
    return "Checkpoint{"
        + origin
        + " size="
        + size
        + " root="
        + root.base64()
        + " time="
        + LedgerTime.format(timeMillis)
        + "}";
  }
}
