package dev.sluice.cluster;

import dev.sluice.time.Window;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every key of one site's budget in etcd ({@code {prefix}/v1/}, layout in {@link EtcdKeys}), read
 * at one revision and parsed: the spent and sent counters, the open sets' grant records, the
 * gateway nodes' sequence keys and liveness keys. Keys or values that do not parse are kept in
 * {@link #malformed()}. Reading only ever issues range reads. Immutable.
 */
public final class EtcdListing {

  /** Keys per range read. */
  static final int PAGE = 1_000;

  /** Which of the two counters of a (budget node, window, period). */
  public enum Kind {
    /** {@code counters/}: bytes granted minus returned. */
    SPENT("counters"),
    /** {@code sent/}: bytes reported sent by settled and stranded sets. */
    SENT("sent");

    private final String segment;

    Kind(String segment) {
      this.segment = segment;
    }

    /** The key segment: {@code counters} or {@code sent}. */
    public String segment() {
      return segment;
    }

    /** {@code spent} or {@code sent}. */
    public String label() {
      return this == SPENT ? "spent" : "sent";
    }
  }

  /**
   * One counter key. {@code period} is the key's period segment ({@code 0} for lifetime), as in
   * {@link SetRecord#periods()}.
   */
  public record CounterKey(Kind kind, String budgetNode, Window window, long period)
      implements Comparable<CounterKey> {

    public CounterKey {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(budgetNode, "budgetNode");
      Objects.requireNonNull(window, "window");
    }

    /** The etcd key under {@code keys}' prefix. */
    public String key(EtcdKeys keys) {
      return kind == Kind.SPENT
          ? keys.counter(budgetNode, window, period)
          : keys.sent(budgetNode, window, period);
    }

    /** Site, control, zones, tenants, destinations (the order of a path), then by id. */
    @Override
    public int compareTo(CounterKey o) {
      int c = Integer.compare(rank(budgetNode), rank(o.budgetNode));
      if (c == 0) {
        c = budgetNode.compareTo(o.budgetNode);
      }
      if (c == 0) {
        c = window.compareTo(o.window);
      }
      if (c == 0) {
        c = Long.compare(period, o.period);
      }
      if (c == 0) {
        c = kind.compareTo(o.kind);
      }
      return c;
    }

    private static int rank(String budgetNode) {
      if (budgetNode.equals("site")) {
        return 0;
      }
      if (budgetNode.equals("control")) {
        return 1;
      }
      if (budgetNode.startsWith("zone:")) {
        return 2;
      }
      if (budgetNode.startsWith("tenant:")) {
        return 3;
      }
      return budgetNode.startsWith("dest:") ? 4 : 5;
    }
  }

  private final String prefix;
  private final EtcdKeys keys;
  private final long revision;
  private final int keyCount;
  private final Map<CounterKey, Long> counters;
  private final Map<String, Long> seq;
  private final Map<String, Map<Long, SetRecord>> sets;
  private final Set<String> live;
  private final List<String> malformed;

  private EtcdListing(
      String prefix,
      long revision,
      int keyCount,
      Map<CounterKey, Long> counters,
      Map<String, Long> seq,
      Map<String, Map<Long, SetRecord>> sets,
      Set<String> live,
      List<String> malformed) {
    this.prefix = prefix;
    this.keys = new EtcdKeys(prefix);
    this.revision = revision;
    this.keyCount = keyCount;
    this.counters = Collections.unmodifiableMap(counters);
    this.seq = Collections.unmodifiableMap(seq);
    Map<String, Map<Long, SetRecord>> s = new TreeMap<>();
    sets.forEach((k, v) -> s.put(k, Collections.unmodifiableMap(v)));
    this.sets = Collections.unmodifiableMap(s);
    this.live = Collections.unmodifiableSet(live);
    this.malformed = List.copyOf(malformed);
  }

  /**
   * Reads every key under {@code {prefix}/v1/} at one revision, in pages of {@value #PAGE} keys.
   * Only range reads; never writes.
   *
   * @param timeout the deadline of each range read (and of connecting)
   * @throws IOException naming the endpoints and the reason when etcd does not answer
   */
  public static EtcdListing read(List<URI> endpoints, String prefix, Duration timeout)
      throws IOException {
    try (Client client =
        Client.builder().endpoints(endpoints.toArray(new URI[0])).connectTimeout(timeout).build()) {
      return read(client.getKVClient(), prefix, timeout, PAGE);
    }
  }

  /**
   * As {@link #read(List, String, Duration)}, with a client's {@code kv}, {@code page} keys a read.
   */
  static EtcdListing read(KV kv, String prefix, Duration timeout, int page) throws IOException {
    EtcdKeys keys = new EtcdKeys(prefix);
    ByteSequence root = EtcdIo.bytes(keys.root());
    ByteSequence end = OptionsUtil.prefixEndOf(root);
    Map<String, byte[]> values = new LinkedHashMap<>();
    long revision = 0;
    ByteSequence from = root;
    while (true) {
      GetOption.Builder o = GetOption.builder().withRange(end).withLimit(page);
      if (revision != 0) {
        o.withRevision(revision); // every page at the first page's revision
      }
      GetResponse r;
      try {
        r = kv.get(from, o.build()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading " + keys.root(), e);
      } catch (ExecutionException | TimeoutException e) {
        throw new IOException("cannot read " + keys.root() + ": " + EtcdIo.rootMessage(e), e);
      }
      if (revision == 0) {
        revision = r.getHeader().getRevision();
      }
      List<KeyValue> kvs = r.getKvs();
      for (KeyValue kv0 : kvs) {
        values.put(EtcdIo.text(kv0.getKey()), kv0.getValue().getBytes());
      }
      if (!r.isMore() || kvs.isEmpty()) {
        break;
      }
      byte[] last = kvs.get(kvs.size() - 1).getKey().getBytes();
      byte[] next = java.util.Arrays.copyOf(last, last.length + 1); // the next key after it
      from = ByteSequence.from(next);
    }
    return of(prefix, values, revision);
  }

  /** Parses a listing of every key under {@code {prefix}/v1/} taken at {@code revision}. */
  static EtcdListing of(String prefix, Map<String, byte[]> values, long revision) {
    EtcdKeys keys = new EtcdKeys(prefix);
    Map<CounterKey, Long> counters = new TreeMap<>();
    Map<String, Long> seq = new TreeMap<>();
    Map<String, Map<Long, SetRecord>> sets = new TreeMap<>();
    Set<String> live = new TreeSet<>();
    List<String> malformed = new ArrayList<>();
    String root = keys.root();
    values.forEach(
        (key, value) -> {
          if (!key.startsWith(root)) {
            malformed.add(key + ": not under " + root);
            return;
          }
          String[] seg = key.substring(root.length()).split("/", -1);
          try {
            switch (seg[0]) {
              case "counters", "sent" -> {
                if (seg.length != 4) {
                  throw new IllegalArgumentException("not {kind}/{budgetNode}/{window}/{period}");
                }
                Kind kind = seg[0].equals("counters") ? Kind.SPENT : Kind.SENT;
                Window w = Window.parse(seg[2]);
                long period = Long.parseLong(seg[3]);
                CounterKey ck = new CounterKey(kind, EtcdKeys.unescape(seg[1]), w, period);
                counters.put(ck, new Versioned(value, 1, 1).asCounter(key));
              }
              case "seq" -> {
                if (seg.length != 2) {
                  throw new IllegalArgumentException("not seq/{gatewayNode}");
                }
                seq.put(seg[1], new Versioned(value, 1, 1).asCounter(key));
              }
              case "sets" -> {
                if (seg.length != 3) {
                  throw new IllegalArgumentException("not sets/{gatewayNode}/{setId}");
                }
                long id = Long.parseLong(seg[2]);
                SetRecord r = SetRecord.parse(key, value);
                if (r.setId() != id || !r.node().equals(seg[1])) {
                  throw new IllegalArgumentException(
                      "record names set " + r.setId() + " of node " + r.node());
                }
                sets.computeIfAbsent(seg[1], n -> new TreeMap<>()).put(id, r);
              }
              case "nodes" -> {
                if (seg.length != 2) {
                  throw new IllegalArgumentException("not nodes/{gatewayNode}");
                }
                live.add(seg[1]);
              }
              case "fleet" -> {
                // Fleet halts and lifts (EtcdHalts) and approved transfers (EtcdTransfers): not
                // part of the budget.
                if (seg.length != 3
                    || !(seg[1].equals("halts")
                        || seg[1].equals("lifts")
                        || seg[1].equals("transfers"))) {
                  throw new IllegalArgumentException(
                      "not fleet/halts/{scope}, fleet/lifts/{scope} or fleet/transfers/{key}");
                }
              }
              case "alerts" -> {
                // Alert claims (EtcdAlertClaims): not part of the budget.
                if (seg.length != 2) {
                  throw new IllegalArgumentException("not alerts/{alertKey}");
                }
              }
              default -> throw new IllegalArgumentException("unknown key kind " + seg[0]);
            }
          } catch (IllegalArgumentException | IllegalStateException e) {
            malformed.add(key + ": " + e.getMessage());
          }
        });
    return new EtcdListing(prefix, revision, values.size(), counters, seq, sets, live, malformed);
  }

  /** The site's key prefix, e.g. {@code /sluice/berlin}. */
  public String prefix() {
    return prefix;
  }

  public EtcdKeys keys() {
    return keys;
  }

  /** The etcd revision every key was read at. */
  public long revision() {
    return revision;
  }

  /** How many keys were read. */
  public int keyCount() {
    return keyCount;
  }

  /** Every spent and sent counter, sorted as {@link CounterKey#compareTo}. */
  public Map<CounterKey, Long> counters() {
    return counters;
  }

  /** The last grant id of each gateway node ({@code seq/}). */
  public Map<String, Long> seq() {
    return seq;
  }

  /** The open sets' grant records, per gateway node, by set id. */
  public Map<String, Map<Long, SetRecord>> sets() {
    return sets;
  }

  /** The open sets of gateway node {@code node} by set id (empty if none). */
  public Map<Long, SetRecord> sets(String node) {
    return sets.getOrDefault(node, Map.of());
  }

  /** Gateway nodes whose liveness key exists (they are running, or just stopped). */
  public Set<String> live() {
    return live;
  }

  /** Keys whose name or value does not parse, each with the reason. */
  public List<String> malformed() {
    return malformed;
  }

  /** Every gateway node with a sequence, set or liveness key, sorted. */
  public Set<String> gatewayNodes() {
    Set<String> all = new TreeSet<>(seq.keySet());
    all.addAll(sets.keySet());
    all.addAll(live);
    return all;
  }
}
