package dev.sluice.store;

import dev.sluice.budget.BudgetCounters;
import dev.sluice.budget.BudgetNode;
import dev.sluice.ledger.AtomicFiles;
import dev.sluice.ledger.LedgerPosition;
import dev.sluice.time.Window;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A snapshot of a local budget store at a ledger position, so that start-up replays only the
 * entries after it instead of the whole history. Derived data: the ledger stays the truth, and a
 * missing, corrupt or mismatched snapshot only costs a full replay.
 *
 * <p>File {@code <data_dir>/ledger/budget.snapshot}, big-endian:
 *
 * <pre>
 * | offset | size | field                                                   |
 * |--------|------|---------------------------------------------------------|
 * | 0      | 8    | magic "SLBSNAP1" (ASCII)                                |
 * | 8      | 4    | body length L (u32)                                     |
 * | 12     | L    | body (below)                                            |
 * | 12+L   | 4    | CRC32C of bytes [0, 12+L)                               |
 *
 * body:
 *   time zone id             u16 length + UTF-8
 *   ledger position          LedgerPosition.writeTo (entry count, byte offset, Merkle frontier)
 *   max grant id             i64
 *   store time at capture    i64 (epoch ms; never before the latest budget entry)
 *   node count N             i32
 *   N times: node id (u16 length + UTF-8), then for day, week, month, lifetime:
 *            period start i64, spent i64, sent i64
 *   open set count S         i32
 *   S times: set id i64, set time i64, granted i64, sent i64, node count i32, node ids
 * </pre>
 *
 * <p>Crash guarantees: written to {@code budget.snapshot.tmp}, fsynced, renamed over the old file
 * and the directory fsynced; a crash leaves either the old or the new snapshot, never a mix.
 */
public record StoreSnapshot(
    String timeZone,
    LedgerPosition position,
    long maxGrantId,
    long latestTime,
    List<NodeCounters> nodes,
    List<OpenSet> openSets) {

  private static final byte[] MAGIC = "SLBSNAP1".getBytes(StandardCharsets.US_ASCII);
  private static final Window[] WINDOWS = Window.values();

  /** The counters of one node: per window (in {@link Window} order) period start, spent, sent. */
  public record NodeCounters(String nodeId, long[] periodStart, long[] spent, long[] sent) {}

  public StoreSnapshot {
    nodes = List.copyOf(nodes);
    openSets = List.copyOf(openSets);
  }

  static StoreSnapshot capture(BudgetState state, LedgerPosition position, String tz, long now) {
    BudgetCounters c = state.counters();
    List<NodeCounters> nodes = new ArrayList<>();
    for (BudgetNode n : c.tree().nodes()) {
      long[] start = new long[WINDOWS.length];
      long[] spent = new long[WINDOWS.length];
      long[] sent = new long[WINDOWS.length];
      for (Window w : WINDOWS) {
        start[w.ordinal()] = c.periodStart(n.index(), w, now);
        spent[w.ordinal()] = c.spent(n.index(), w, now);
        sent[w.ordinal()] = c.sent(n.index(), w, now);
      }
      nodes.add(new NodeCounters(n.id(), start, spent, sent));
    }
    // The store's time at capture (never before its latest entry) decided the periods above.
    return new StoreSnapshot(tz, position, state.maxGrantId(), now, nodes, state.openSets());
  }

  /**
   * Loads the counters into {@code state} for the periods that are still current at {@code now}.
   */
  void restoreInto(BudgetState state, long now) {
    BudgetCounters c = state.counters();
    for (NodeCounters n : nodes) {
      BudgetNode node = c.tree().node(n.nodeId());
      if (node == null) {
        continue;
      }
      for (Window w : WINDOWS) {
        int i = w.ordinal();
        c.restore(node.index(), w, n.periodStart()[i], n.spent()[i], n.sent()[i], now);
      }
    }
    state.restore(maxGrantId, latestTime, openSets);
  }

  /** Writes the snapshot atomically (temp file, fsync, rename, directory fsync). */
  public void write(Path file) throws IOException {
    ByteArrayOutputStream bodyBytes = new ByteArrayOutputStream();
    DataOutputStream body = new DataOutputStream(bodyBytes);
    body.writeUTF(timeZone);
    position.writeTo(body);
    body.writeLong(maxGrantId);
    body.writeLong(latestTime);
    body.writeInt(nodes.size());
    for (NodeCounters n : nodes) {
      body.writeUTF(n.nodeId());
      for (int i = 0; i < WINDOWS.length; i++) {
        body.writeLong(n.periodStart()[i]);
        body.writeLong(n.spent()[i]);
        body.writeLong(n.sent()[i]);
      }
    }
    body.writeInt(openSets.size());
    for (OpenSet s : openSets) {
      body.writeLong(s.setId());
      body.writeLong(s.setTime());
      body.writeLong(s.granted());
      body.writeLong(s.sent());
      body.writeInt(s.nodes().size());
      for (String id : s.nodes()) {
        body.writeUTF(id);
      }
    }
    body.flush();
    byte[] b = bodyBytes.toByteArray();
    ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 4 + b.length + 4);
    out.put(MAGIC).putInt(b.length).put(b);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    out.flip();

    AtomicFiles.write(file, out);
  }

  /**
   * Reads a snapshot, or returns {@code null} when there is none.
   *
   * @throws SnapshotException when the file exists but is damaged (names the byte offset)
   */
  public static StoreSnapshot read(Path file) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (all.length < MAGIC.length + 8) {
      throw new SnapshotException(file, 0, "file is " + all.length + " bytes, too short");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (all[i] != MAGIC[i]) {
        throw new SnapshotException(file, i, "bad magic (not a Sluice budget snapshot)");
      }
    }
    int len = ByteBuffer.wrap(all, MAGIC.length, 4).getInt();
    if (len < 0 || MAGIC.length + 4L + len + 4 != all.length) {
      throw new SnapshotException(
          file, MAGIC.length, "body length " + len + " does not match file size " + all.length);
    }
    int crcAt = MAGIC.length + 4 + len;
    CRC32C crc = new CRC32C();
    crc.update(all, 0, crcAt);
    int stored = ByteBuffer.wrap(all, crcAt, 4).getInt();
    if (stored != (int) crc.getValue()) {
      throw new SnapshotException(file, crcAt, "CRC32C mismatch over bytes [0, " + crcAt + ")");
    }
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(all, MAGIC.length + 4, len))) {
      String tz = in.readUTF();
      LedgerPosition position = LedgerPosition.readFrom(in);
      long maxGrantId = in.readLong();
      long latestTime = in.readLong();
      int n = in.readInt();
      List<NodeCounters> nodes = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        String id = in.readUTF();
        long[] start = new long[WINDOWS.length];
        long[] spent = new long[WINDOWS.length];
        long[] sent = new long[WINDOWS.length];
        for (int i = 0; i < WINDOWS.length; i++) {
          start[i] = in.readLong();
          spent[i] = in.readLong();
          sent[i] = in.readLong();
        }
        nodes.add(new NodeCounters(id, start, spent, sent));
      }
      int s = in.readInt();
      List<OpenSet> sets = new ArrayList<>();
      for (int k = 0; k < s; k++) {
        long setId = in.readLong();
        long setTime = in.readLong();
        long granted = in.readLong();
        long sentBytes = in.readLong();
        int m = in.readInt();
        List<String> ids = new ArrayList<>();
        for (int j = 0; j < m; j++) {
          ids.add(in.readUTF());
        }
        sets.add(new OpenSet(setId, setTime, ids, granted, sentBytes));
      }
      if (in.available() != 0) {
        throw new SnapshotException(file, crcAt - in.available(), "trailing bytes in body");
      }
      return new StoreSnapshot(tz, position, maxGrantId, latestTime, nodes, sets);
    } catch (SnapshotException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SnapshotException(file, MAGIC.length + 4, "malformed body: " + e.getMessage());
    }
  }
}
