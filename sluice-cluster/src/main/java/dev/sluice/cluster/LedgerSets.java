package dev.sluice.cluster;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.IndexedEntry;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.ledger.LedgerVerifier;
import dev.sluice.ledger.VerifyReport;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one gateway node's ledger says about its escrow sets in the etcd store, for {@link
 * Reconciliation}: per gateway node (the {@code node} field the etcd store writes into its GRANT,
 * SETTLE and STRANDED entries), per escrow set, the grants and the entry that closed the set.
 * Budget entries without a {@code node} field come from a local store and are only counted.
 *
 * <p>Reading is offline and changes nothing. Immutable once read.
 */
public final class LedgerSets {

  /** One GRANT entry. */
  public record Grant(
      long index, long time, long id, long amount, List<String> nodes, boolean late) {
    public Grant {
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * The SETTLE or STRANDED entry that closed a set: {@code granted} is what etcd's grant record
   * held when the set was closed, {@code returned} what was credited back (0 for STRANDED).
   */
  public record Close(
      long index,
      long time,
      EntryType type,
      long setTime,
      List<String> nodes,
      long granted,
      long sent,
      long returned) {
    public Close {
      nodes = List.copyOf(nodes);
    }
  }

  /** One escrow set of one gateway node as its ledger records it. */
  public static final class EscrowSet {
    private final long id;
    private final List<Grant> grants = new ArrayList<>();
    private final List<Close> closes = new ArrayList<>();

    EscrowSet(long id) {
      this.id = id;
    }

    public long id() {
      return id;
    }

    /** The set's GRANT entries in ledger order. */
    public List<Grant> grants() {
      return Collections.unmodifiableList(grants);
    }

    /** The SETTLE or STRANDED entries of the set: one, or none while it is open. */
    public List<Close> closes() {
      return Collections.unmodifiableList(closes);
    }

    /** The first closing entry, or null while the set is open in the ledger. */
    public Close close() {
      return closes.isEmpty() ? null : closes.get(0);
    }

    /** The sum of the set's GRANT amounts. */
    public long ledgered() {
      long sum = 0;
      for (Grant g : grants) {
        sum = Math.addExact(sum, g.amount());
      }
      return sum;
    }
  }

  private final Path dir;
  private final Path ledgerDir;
  private final VerifyReport.Problem problem;
  private final boolean verified;
  private final long entries;
  private final long firstTime;
  private final long lastTime;
  private final List<String> timeZones;
  private final long localEntries;
  private final List<String> malformed;
  private final Map<String, Map<Long, EscrowSet>> nodes;

  private LedgerSets(Builder b) {
    this.dir = b.dir;
    this.ledgerDir = b.ledgerDir;
    this.problem = b.problem;
    this.verified = b.verified;
    this.entries = b.entries;
    this.firstTime = b.firstTime;
    this.lastTime = b.lastTime;
    this.timeZones = List.copyOf(b.timeZones);
    this.localEntries = b.localEntries;
    this.malformed = List.copyOf(b.malformed);
    Map<String, Map<Long, EscrowSet>> n = new TreeMap<>();
    b.nodes.forEach((k, v) -> n.put(k, Collections.unmodifiableMap(v)));
    this.nodes = Collections.unmodifiableMap(n);
  }

  /**
   * Reads the ledger in {@code dir} (a ledger directory or a data directory holding {@code
   * ledger/}). With {@code verify}, runs {@link LedgerVerifier} first; a ledger that does not
   * verify is not read for reconciliation ({@link #problem()} says why; {@link #nodeIds()} still
   * names the gateway nodes found in the entries before the problem, when they can be read).
   *
   * @throws java.nio.file.NoSuchFileException if there is no ledger at {@code dir}
   * @throws IOException if a file cannot be read, or (without {@code verify}) a record is invalid
   */
  public static LedgerSets read(Path dir, boolean verify) throws IOException {
    Builder b = new Builder(dir);
    if (verify) {
      VerifyReport r = LedgerVerifier.verify(dir);
      b.verified = r.ok();
      if (!r.ok()) {
        b.problem = r.problem();
        try {
          b.scan(dir);
        } catch (IOException | RuntimeException e) {
          // Best effort: only to name the nodes of a ledger that is not reconciled.
        }
        Builder failed = new Builder(dir);
        failed.problem = r.problem();
        failed.entries = b.entries;
        failed.firstTime = b.firstTime;
        failed.lastTime = b.lastTime;
        for (String node : b.nodes.keySet()) {
          failed.nodes.put(node, new TreeMap<>());
        }
        return new LedgerSets(failed);
      }
    }
    b.scan(dir);
    return new LedgerSets(b);
  }

  /** The directory as given. */
  public Path dir() {
    return dir;
  }

  /** The ledger directory itself (the given one, or its {@code ledger/}), absolute. */
  public Path ledgerDir() {
    return ledgerDir;
  }

  /** True when the ledger was verified and verified; false when not verified or it failed. */
  public boolean verified() {
    return verified;
  }

  /** Why the ledger did not verify, or null. Such a ledger holds no sets. */
  public VerifyReport.Problem problem() {
    return problem;
  }

  /** Entries read. */
  public long entries() {
    return entries;
  }

  /** Time of the first entry (GENESIS), epoch ms; {@code Long.MAX_VALUE} if none was read. */
  public long firstTime() {
    return firstTime;
  }

  /** Time of the last entry, epoch ms; {@code Long.MIN_VALUE} if none was read. */
  public long lastTime() {
    return lastTime;
  }

  /** The distinct {@code time_zone} values of the START entries, in order of appearance. */
  public List<String> timeZones() {
    return timeZones;
  }

  /** Budget entries without a {@code node} field (a local store's), which are not reconciled. */
  public long localEntries() {
    return localEntries;
  }

  /** Budget entries that lack a field or hold a wrong type: entry index and what is wrong. */
  public List<String> malformed() {
    return malformed;
  }

  /** The gateway node ids named by budget entries, sorted. */
  public Set<String> nodeIds() {
    return nodes.keySet();
  }

  /** The escrow sets of gateway node {@code node} by set id (empty if the node is not here). */
  public Map<Long, EscrowSet> sets(String node) {
    return nodes.getOrDefault(node, Map.of());
  }

  /** Builds the result while scanning. */
  private static final class Builder {
    final Path dir;
    final Path ledgerDir;
    VerifyReport.Problem problem;
    boolean verified;
    long entries;
    long firstTime = Long.MAX_VALUE;
    long lastTime = Long.MIN_VALUE;
    final Set<String> timeZones = new LinkedHashSet<>();
    long localEntries;
    final List<String> malformed = new ArrayList<>();
    final Map<String, Map<Long, EscrowSet>> nodes = new TreeMap<>();

    Builder(Path dir) throws NoSuchFileException {
      this.dir = dir;
      this.ledgerDir = LedgerReader.resolve(dir).toAbsolutePath().normalize();
    }

    void scan(Path dir) throws IOException {
      try (LedgerReader r = LedgerReader.open(dir)) {
        r.forEach(this::add);
      }
    }

    void add(IndexedEntry ie) {
      LedgerEntry e = ie.entry();
      entries++;
      firstTime = Math.min(firstTime, e.timeMillis());
      lastTime = Math.max(lastTime, e.timeMillis());
      EntryType t = e.type();
      if (t == EntryType.START && e.get("time_zone") instanceof String z) {
        timeZones.add(z);
        return;
      }
      if (t != EntryType.GRANT && t != EntryType.SETTLE && t != EntryType.STRANDED) {
        return;
      }
      if (!e.has("node")) {
        localEntries++;
        return;
      }
      try {
        String node = e.getString("node");
        EscrowSet set =
            nodes
                .computeIfAbsent(node, n -> new TreeMap<>())
                .computeIfAbsent(e.getLong("set"), EscrowSet::new);
        if (t == EntryType.GRANT) {
          set.grants.add(
              new Grant(
                  ie.index(),
                  e.timeMillis(),
                  e.getLong("id"),
                  e.getLong("amount"),
                  e.getStrings("nodes"),
                  e.getLong("late", 0) != 0));
        } else {
          set.closes.add(
              new Close(
                  ie.index(),
                  e.timeMillis(),
                  t,
                  e.getLong("set_time"),
                  e.getStrings("nodes"),
                  e.getLong("granted"),
                  e.getLong("sent"),
                  t == EntryType.SETTLE ? e.getLong("returned") : 0));
        }
      } catch (IllegalStateException ex) {
        malformed.add("entry " + ie.index() + ": " + ex.getMessage());
      }
    }
  }
}
