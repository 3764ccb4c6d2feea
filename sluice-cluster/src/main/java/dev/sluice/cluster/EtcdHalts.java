package dev.sluice.cluster;

import dev.sluice.halt.FleetHalts;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's halts in etcd: one key per halted scope, {@code {prefix}/v1/fleet/halts/{scope}}, and
 * the last lift of each scope beside it ({@link EtcdKeys#halt}, {@link EtcdKeys#lift}, values in
 * {@link HaltRecords}). Every gateway node sharing the prefix publishes the halts it takes, deletes
 * them on resume, and learns of the others' through:
 *
 * <ol>
 *   <li>an etcd watch on {@code {prefix}/v1/fleet/} from the revision of the last listing on, so a
 *       halt taken anywhere reaches every node within the watch's delay (milliseconds);
 *   <li>a re-read of every fleet key every {@link #RESYNC} (the safety net: a watch that broke or
 *       silently stalls), which also restarts a broken watch from the re-read's revision.
 * </ol>
 *
 * <p>Snapshots go to the sink in etcd revision order, on one thread of this class: a re-read older
 * than what the watch already delivered is dropped, so a node never acts on a stale view.
 *
 * <p>Fail closed: a node that cannot reach etcd keeps every halt it has (snapshots just stop
 * coming); {@link #publish} and {@link #lift} complete exceptionally after the operation timeout,
 * or at once when there is no connection: the client neither waits for a connection nor retries,
 * and a call past its deadline is cancelled, so a lift reported failed is not sent later. (A lift
 * etcd had already received when the deadline passed may still commit: its resume entry is in the
 * ledger either way, as for any etcd write whose answer was lost.) Its own connection to etcd (not
 * the budget store's), so a busy store queue never delays a halt. Thread-safe.
 */
public final class EtcdHalts implements FleetHalts {

  private static final Logger log = LoggerFactory.getLogger(EtcdHalts.class);

  /** How often every fleet key is read again, whatever the watch says. */
  public static final Duration RESYNC = Duration.ofSeconds(1);

  private final Client client;
  private final KV kv;
  private final EtcdKeys keys;
  private final String nodeId;
  private final String name;
  private final long timeoutMillis;
  private final ScheduledExecutorService executor;

  // Confined to the executor thread:
  private final Map<String, Halt> halts = new HashMap<>();
  private final Map<String, Lift> lifts = new HashMap<>();
  private long revision = -1;
  private Consumer<Snapshot> sink;

  private volatile Watch.Watcher watcher;
  private volatile boolean watchBroken = true;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicBoolean resyncScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();

  private EtcdHalts(Client client, EtcdStoreOptions options) {
    this.client = client;
    this.kv = client.getKVClient();
    this.keys = new EtcdKeys(options.prefix());
    this.nodeId = options.nodeId();
    this.name = EtcdBudgetStore.nameOf(options);
    this.timeoutMillis = options.operationTimeout().toMillis();
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-fleet-halts-" + options.nodeId());
              t.setDaemon(true);
              return t;
            });
  }

  /** A connection to the etcd of {@code options}; nothing is read until {@link #watch}. */
  public static EtcdHalts open(EtcdStoreOptions options) {
    Objects.requireNonNull(options, "options");
    // No waiting for a connection and no retries: a lift that timed out (answered "egress stays
    // halted") must not be sent again, or queued and sent, once etcd is back.
    Client client =
        Client.builder()
            .endpoints(options.endpoints().toArray(new URI[0]))
            .connectTimeout(options.operationTimeout())
            .waitForReady(false)
            .retryMaxAttempts(0)
            .build();
    return new EtcdHalts(client, options);
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public String describe() {
    return name;
  }

  /** Whether the fleet keys are being watched (false after the watch broke, until re-read). */
  public boolean watching() {
    return !watchBroken && !closed;
  }

  @Override
  public CompletableFuture<Long> publish(Halt h) {
    ByteSequence key = EtcdIo.bytes(keys.halt(h.scope()));
    return deadline(
            kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(key, ByteSequence.from(HaltRecords.halt(h)), PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit())
        .thenApply(
            r -> {
              if (r.isSucceeded()) {
                return r.getHeader().getRevision();
              }
              List<KeyValue> kvs = r.getGetResponses().get(0).getKvs();
              if (kvs.isEmpty()) {
                throw new IllegalStateException(
                    "the fleet halt of " + h.scope() + " changed while it was being published");
              }
              return kvs.get(0).getCreateRevision();
            });
  }

  @Override
  public CompletableFuture<Void> lift(Lift l) {
    ByteSequence key = EtcdIo.bytes(keys.halt(l.scope()));
    Cmp same =
        l.haltRevision() == 0
            ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0))
            : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(l.haltRevision()));
    Op[] then =
        l.haltRevision() == 0
            ? new Op[0]
            : new Op[] {
              Op.delete(key, DeleteOption.DEFAULT),
              Op.put(
                  EtcdIo.bytes(keys.lift(l.scope())),
                  ByteSequence.from(HaltRecords.lift(l)),
                  PutOption.DEFAULT)
            };
    return deadline(kv.txn().If(same).Then(then).Else(Op.get(key, GetOption.DEFAULT)).commit())
        .thenApply(
            r -> {
              if (r.isSucceeded()) {
                return null;
              }
              List<KeyValue> kvs = r.getGetResponses().get(0).getKvs();
              if (kvs.isEmpty()) {
                return null; // lifted already (by another node): nothing left to lift
              }
              throw new LiftConflict(
                  "the fleet halt of "
                      + l.scope()
                      + " in etcd is another one (revision "
                      + kvs.get(0).getCreateRevision()
                      + ") than the one being resumed (revision "
                      + l.haltRevision()
                      + "); egress stays halted");
            });
  }

  @Override
  public void watch(Consumer<Snapshot> sink) {
    Objects.requireNonNull(sink, "sink");
    CompletableFuture<Void> first = new CompletableFuture<>();
    executor.execute(
        () -> {
          this.sink = sink;
          resync().whenComplete((v, e) -> first.complete(null));
        });
    // A reload applied in place starts a new admin server, which watches again with a new sink:
    // the periodic re-read is scheduled once.
    if (resyncScheduled.compareAndSet(false, true)) {
      executor.scheduleWithFixedDelay(
          () -> {
            if (!closed) {
              resync();
            }
          },
          RESYNC.toMillis(),
          RESYNC.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    try {
      first.get(2 * timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("{}: fleet halts not read at start; retried every {}", name, RESYNC);
    }
  }

  /** Reads every fleet key; applies the listing on the executor; restarts a broken watch. */
  private CompletableFuture<Void> resync() {
    GetOption all = GetOption.builder().isPrefix(true).build();
    return deadline(kv.get(EtcdIo.bytes(keys.fleet()), all))
        .handleAsync(
            (r, e) -> {
              if (e != null) {
                log.debug("{}: cannot read the fleet halts: {}", name, EtcdIo.rootMessage(e));
                return null;
              }
              long rev = r.getHeader().getRevision();
              if (rev >= revision) {
                halts.clear();
                lifts.clear();
                for (KeyValue k : r.getKvs()) {
                  put(k);
                }
                revision = rev;
                deliver();
              }
              if (watchBroken && !closed) {
                startWatch(rev);
              }
              return null;
            },
            executor);
  }

  private void startWatch(long fromRevision) {
    Watch.Watcher old = watcher;
    if (old != null) {
      old.close();
    }
    watchBroken = false;
    WatchOption o = WatchOption.builder().isPrefix(true).withRevision(fromRevision + 1).build();
    watcher =
        client
            .getWatchClient()
            .watch(
                EtcdIo.bytes(keys.fleet()),
                o,
                Watch.listener(this::onResponse, this::onError, this::onEnd));
  }

  /** On jetcd's thread: hands the events to this class's thread (none once closed). */
  private void onResponse(WatchResponse r) {
    if (closed) {
      return;
    }
    try {
      executor.execute(() -> onEvents(r));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closed meanwhile.
    }
  }

  private void onEvents(WatchResponse r) {
    long rev = r.getHeader().getRevision();
    List<WatchEvent> events = new ArrayList<>(r.getEvents());
    boolean changed = false;
    for (WatchEvent e : events) {
      KeyValue k = e.getKeyValue();
      if (k.getModRevision() <= revision) {
        continue; // already in a later re-read
      }
      changed = true;
      if (e.getEventType() == WatchEvent.EventType.DELETE) {
        String key = EtcdIo.text(k.getKey());
        halts.values().removeIf(h -> keys.halt(h.scope()).equals(key));
      } else if (e.getEventType() == WatchEvent.EventType.PUT) {
        put(k);
      }
      rev = Math.max(rev, k.getModRevision());
    }
    if (changed && rev >= revision) {
      revision = rev;
      deliver();
    }
  }

  private void put(KeyValue k) {
    String key = EtcdIo.text(k.getKey());
    byte[] value = k.getValue().getBytes();
    try {
      if (key.startsWith(keys.fleet() + "halts/")) {
        Halt h = HaltRecords.parseHalt(key, value, k.getCreateRevision());
        halts.put(h.scope(), h);
      } else if (key.startsWith(keys.fleet() + "lifts/")) {
        Lift l = HaltRecords.parseLift(key, value);
        lifts.put(l.scope(), l);
      }
    } catch (IllegalArgumentException e) {
      log.error("{}: malformed fleet key, ignored: {}", name, e.getMessage());
    }
  }

  private void deliver() {
    if (sink == null) {
      return;
    }
    try {
      sink.accept(new Snapshot(halts, lifts, revision));
    } catch (RuntimeException e) {
      log.error("{}: applying the fleet halts failed: {}", name, e.toString(), e);
    }
  }

  private void onError(Throwable t) {
    if (!closed) {
      log.info("{}: fleet halt watch broken, re-reading: {}", name, EtcdIo.rootMessage(t));
      watchBroken = true;
    }
  }

  private void onEnd() {
    if (!closed) {
      watchBroken = true;
    }
  }

  private <T> CompletableFuture<T> deadline(CompletableFuture<T> f) {
    return EtcdIo.deadline(f, timeoutMillis);
  }

  /** Stops watching and closes the connection. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Watch.Watcher w = watcher;
    if (w != null) {
      w.close();
    }
    executor.shutdownNow();
    client.close();
  }
}
