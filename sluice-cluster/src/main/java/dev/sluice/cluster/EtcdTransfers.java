package dev.sluice.cluster;

import dev.sluice.transfer.FleetTransfers;
import dev.sluice.transfer.TransferRecord;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * The fleet's approved transfers in etcd: one key per allowance, {@code
 * {prefix}/v1/fleet/transfers/{key}} ({@link EtcdKeys#transfer}), whose value is the {@link
 * TransferRecord} line (subject, expiry, the approvals with their signatures), put under an etcd
 * lease of the seconds left until the expiry (rounded up), so etcd deletes it at expiry. Every node
 * sharing the prefix learns of the others' through a watch of {@code {prefix}/v1/fleet/transfers/}
 * (milliseconds) and a re-read of every such key each {@link #RESYNC}, which also restarts a broken
 * watch, as {@link EtcdHalts} does for halts. Listings go to the sink in etcd revision order on one
 * thread of this class; one older than what the sink already has is dropped.
 *
 * <p>Fail closed: a listing is delivered only when etcd answered; the caller honours allowances
 * only for a bounded time after the last one ({@code TransferBook}). {@link #publish} completes
 * exceptionally after the operation timeout or at once without a connection: its own client neither
 * waits for a connection nor retries. Thread-safe.
 */
public final class EtcdTransfers implements FleetTransfers {

  private static final Logger log = LoggerFactory.getLogger(EtcdTransfers.class);

  /** How often every allowance key is read again, whatever the watch says. */
  public static final Duration RESYNC = Duration.ofSeconds(1);

  private final Client client;
  private final KV kv;
  private final EtcdKeys keys;
  private final String name;
  private final long timeoutMillis;
  private final ScheduledExecutorService executor;

  // Confined to the executor thread:
  private final Map<String, TransferRecord> records = new LinkedHashMap<>();
  private long revision = -1;
  private Consumer<List<TransferRecord>> sink;

  private volatile Watch.Watcher watcher;
  private volatile boolean watchBroken = true;
  private final java.util.concurrent.atomic.AtomicBoolean resyncScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile boolean closed;

  private EtcdTransfers(Client client, EtcdStoreOptions options) {
    this.client = client;
    this.kv = client.getKVClient();
    this.keys = new EtcdKeys(options.prefix());
    this.name = EtcdBudgetStore.nameOf(options);
    this.timeoutMillis = options.operationTimeout().toMillis();
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-fleet-transfers-" + options.nodeId());
              t.setDaemon(true);
              return t;
            });
  }

  /** A connection to the etcd of {@code options}; nothing is read until {@link #watch}. */
  public static EtcdTransfers open(EtcdStoreOptions options) {
    Objects.requireNonNull(options, "options");
    Client client =
        Client.builder()
            .endpoints(options.endpoints().toArray(new URI[0]))
            .connectTimeout(options.operationTimeout())
            .waitForReady(false)
            .retryMaxAttempts(0)
            .build();
    return new EtcdTransfers(client, options);
  }

  @Override
  public String describe() {
    return name;
  }

  @Override
  public long resyncMillis() {
    return RESYNC.toMillis();
  }

  /**
   * Grants a lease of the seconds left until the record's expiry (at least one) and puts the
   * record's key under it. A lease granted for a put that then fails expires on its own.
   */
  @Override
  public CompletableFuture<Void> publish(TransferRecord r, long nowMillis) {
    long left = Math.subtractExact(r.expiresMillis(), nowMillis);
    long ttl = Math.max(1, Math.floorDiv(Math.addExact(left, 999), 1000));
    ByteSequence key = EtcdIo.bytes(keys.transfer(r.key()));
    ByteSequence value = ByteSequence.from(r.encode(), StandardCharsets.US_ASCII);
    return deadline(
        client
            .getLeaseClient()
            .grant(ttl)
            .thenCompose(
                g -> kv.put(key, value, PutOption.builder().withLeaseId(g.getID()).build()))
            .thenApply(p -> null));
  }

  @Override
  public void watch(Consumer<List<TransferRecord>> sink) {
    Objects.requireNonNull(sink, "sink");
    CompletableFuture<Void> first = new CompletableFuture<>();
    executor.execute(
        () -> {
          this.sink = sink;
          resync().whenComplete((v, e) -> first.complete(null));
        });
    // A reload applied in place starts a new TransferBook, which watches again with a new sink:
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
      log.warn("{}: fleet transfers not read at start; retried every {}", name, RESYNC);
    }
  }

  private CompletableFuture<Void> resync() {
    GetOption all = GetOption.builder().isPrefix(true).build();
    return deadline(kv.get(EtcdIo.bytes(keys.transfers()), all))
        .handleAsync(
            (r, e) -> {
              if (e != null) {
                log.debug("{}: cannot read the fleet transfers: {}", name, EtcdIo.rootMessage(e));
                return null;
              }
              long rev = r.getHeader().getRevision();
              if (rev >= revision) {
                records.clear();
                for (KeyValue k : r.getKvs()) {
                  put(k);
                }
                revision = rev;
                deliver(); // also when nothing changed: it confirms the set
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
                EtcdIo.bytes(keys.transfers()),
                o,
                Watch.listener(this::onResponse, this::onError, this::onEnd));
  }

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
    boolean changed = false;
    for (WatchEvent e : new ArrayList<>(r.getEvents())) {
      KeyValue k = e.getKeyValue();
      if (k.getModRevision() <= revision) {
        continue; // already in a later re-read
      }
      changed = true;
      if (e.getEventType() == WatchEvent.EventType.DELETE) {
        records.remove(EtcdIo.text(k.getKey()));
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
    try {
      records.put(key, TransferRecord.parse(EtcdIo.text(k.getValue())));
    } catch (IllegalArgumentException e) {
      log.error("{}: malformed fleet transfer key {}, ignored: {}", name, key, e.getMessage());
    }
  }

  private void deliver() {
    if (sink == null) {
      return;
    }
    try {
      sink.accept(List.copyOf(records.values()));
    } catch (RuntimeException e) {
      log.error("{}: applying the fleet transfers failed: {}", name, e.toString(), e);
    }
  }

  private void onError(Throwable t) {
    if (!closed) {
      log.info("{}: fleet transfer watch broken, re-reading: {}", name, EtcdIo.rootMessage(t));
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
