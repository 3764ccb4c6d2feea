package dev.sluice.ledger;

import dev.sluice.time.Clock;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ledger directory opened for writing: creates a new ledger atomically when there is none, then
 * opens and locks {@code entries.log} and {@code checkpoints.log} and checks that they belong to
 * this origin and key (the GENESIS entry and {@code ledger.vkey} must match the signing key).
 *
 * <p>Creation order: {@code ledger.vkey}, {@code checkpoints.log}, then {@code entries.log} last,
 * each written atomically; the existence of {@code entries.log} marks a complete ledger. Not
 * thread-safe; owned by the ledger's writer after open.
 */
final class LedgerFiles implements Closeable {

  private final IoChannel entries;
  private final IoChannel checkpoints;
  private final EntriesFile.Header header;
  private final boolean created;

  private LedgerFiles(
      IoChannel entries, IoChannel checkpoints, EntriesFile.Header header, boolean created) {
    this.entries = entries;
    this.checkpoints = checkpoints;
    this.header = header;
    this.created = created;
  }

  static LedgerFiles open(LedgerOptions options, NoteSigner signer, Clock clock)
      throws IOException {
    Path dir = options.ledgerDir();
    Files.createDirectories(dir);
    Path entriesPath = dir.resolve(EntriesFile.NAME);
    Path checkpointsPath = dir.resolve(CheckpointsFile.NAME);
    Path vkeyPath = dir.resolve(LedgerKeys.VKEY_FILE);
    boolean created = false;
    if (!Files.exists(entriesPath)) {
      refuseIfCheckpointsExist(options.io(), checkpointsPath);
      create(options, signer, clock, vkeyPath, checkpointsPath, entriesPath);
      created = true;
    }
    if (!Files.exists(checkpointsPath)) {
      throw new LedgerCorruptionException(
          CheckpointsFile.NAME, -1, 0, "is missing although entries.log exists");
    }
    IoChannel e = options.io().open(entriesPath, LedgerIo.Mode.READ_WRITE);
    IoChannel c = null;
    try {
      e.lockExclusively();
      EntriesFile.Header header = EntriesFile.readHeader(e);
      checkGenesis(e, header, options, signer);
      checkVerifierKey(options.io(), vkeyPath, signer.verifier());
      c = options.io().open(checkpointsPath, LedgerIo.Mode.READ_WRITE);
      return new LedgerFiles(e, c, header, created);
    } catch (IOException | RuntimeException ex) {
      closeQuietly(e, ex);
      if (c != null) {
        closeQuietly(c, ex);
      }
      throw ex;
    }
  }

  IoChannel entries() {
    return entries;
  }

  IoChannel checkpoints() {
    return checkpoints;
  }

  EntriesFile.Header header() {
    return header;
  }

  boolean created() {
    return created;
  }

  @Override
  public void close() throws IOException {
    try {
      entries.close();
    } finally {
      checkpoints.close();
    }
  }

  private static void create(
      LedgerOptions o, NoteSigner signer, Clock clock, Path vkey, Path checkpoints, Path entries)
      throws IOException {
    LedgerKeys.writeVerifier(o.io(), vkey, signer.verifier());
    AtomicFiles.write(o.io(), checkpoints, CheckpointsFile.encodeHeader());
    LedgerEntry genesis =
        LedgerEntry.builder(EntryType.GENESIS, clock.millis())
            .put("origin", o.origin())
            .put("vkey", signer.verifier().encode())
            .put("format_version", EntriesFile.VERSION)
            .build();
    byte[] payload = EntryCodec.encode(genesis);
    ByteBuffer record = ByteBuffer.allocate(EntriesFile.recordSize(payload.length));
    new EntriesFile.RecordEncoder().put(record, 0, payload);
    AtomicFiles.write(o.io(), entries, EntriesFile.encodeHeader(o.maxBatchBytes()), record.flip());
  }

  private static void refuseIfCheckpointsExist(LedgerIo io, Path checkpoints) throws IOException {
    if (!Files.exists(checkpoints)) {
      return;
    }
    try (IoChannel c = io.open(checkpoints, LedgerIo.Mode.READ)) {
      if (c.size() > CheckpointsFile.HEADER_SIZE) {
        throw new LedgerCorruptionException(
            CheckpointsFile.NAME,
            -1,
            CheckpointsFile.HEADER_SIZE,
            "holds checkpoints but entries.log is missing; refusing to start a new ledger over existing evidence");
      }
    }
  }

  private static void checkGenesis(
      IoChannel e, EntriesFile.Header h, LedgerOptions o, NoteSigner signer) throws IOException {
    RecordScanner s =
        new RecordScanner(e, EntriesFile.HEADER_SIZE, 0, h.maxPayload(), RecordScanner.ONE_RECORD);
    if (!s.next()) {
      throw new LedgerCorruptionException(
          EntriesFile.NAME,
          0,
          EntriesFile.HEADER_SIZE,
          s.problem() != null ? s.problem() : "no GENESIS entry");
    }
    LedgerEntry g;
    try {
      g = EntryCodec.decode(s.payloadArray(), s.payloadOffset(), s.payloadLength());
    } catch (EntryFormatException ex) {
      throw new LedgerCorruptionException(
          EntriesFile.NAME, 0, EntriesFile.HEADER_SIZE, ex.getMessage());
    }
    if (g.type() != EntryType.GENESIS || !g.has("origin") || !g.has("vkey")) {
      throw new LedgerCorruptionException(
          EntriesFile.NAME,
          0,
          EntriesFile.HEADER_SIZE,
          "first entry is " + g.type().label() + ", not a genesis with origin and vkey");
    }
    if (!g.getString("origin").equals(o.origin())) {
      throw new IOException(
          "ledger "
              + o.ledgerDir()
              + " belongs to origin "
              + g.getString("origin")
              + ", not the configured origin "
              + o.origin());
    }
    if (!g.getString("vkey").equals(signer.verifier().encode())) {
      throw new IOException(
          "ledger "
              + o.ledgerDir()
              + " was created with key "
              + g.getString("vkey")
              + ", but the signing key "
              + o.signingKeyFile()
              + " is "
              + signer.verifier().encode());
    }
  }

  private static void checkVerifierKey(LedgerIo io, Path vkey, NoteVerifier expected)
      throws IOException {
    if (!Files.exists(vkey)) {
      LedgerKeys.writeVerifier(io, vkey, expected);
      return;
    }
    NoteVerifier found;
    try {
      found = LedgerKeys.readVerifier(vkey);
    } catch (InvalidNoteException ex) {
      throw new IOException(vkey + " is malformed: " + ex.getMessage(), ex);
    }
    if (!found.equals(expected)) {
      throw new IOException(
          vkey + " holds " + found.encode() + ", not the signing key's " + expected.encode());
    }
  }

  private static void closeQuietly(IoChannel ch, Exception primary) {
    try {
      ch.close();
    } catch (IOException suppressed) {
      primary.addSuppressed(suppressed);
    }
  }
}
