package dev.sluice.cluster;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link KeyCache} current with every key under a prefix: from a listing, then by an etcd
 * watch from the listing's revision on. When the watch breaks (etcd restarted, history compacted)
 * {@link #repairIfBroken} lists again and watches from there. Thread-safe.
 */
final class KeyWatch implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KeyWatch.class);

  private final Client client;
  private final EtcdIo io;
  private final KeyCache cache;
  private final String prefix;
  private final Executor executor;
  private final String name;
  private volatile Watch.Watcher watcher;
  private volatile boolean broken;
  private volatile boolean closed;

  KeyWatch(
      Client client, EtcdIo io, KeyCache cache, String prefix, Executor executor, String name) {
    this.client = client;
    this.io = io;
    this.cache = cache;
    this.prefix = prefix;
    this.executor = executor;
    this.name = name;
  }

  /** Fills the cache from {@code listing} and watches every change after it. */
  synchronized void start(EtcdIo.Listing listing) {
    cache.reset(listing.keys(), listing.revision());
    Watch.Watcher old = watcher;
    if (old != null) {
      old.close();
    }
    WatchOption o =
        WatchOption.builder().isPrefix(true).withRevision(listing.revision() + 1).build();
    watcher =
        client
            .getWatchClient()
            .watch(
                EtcdIo.bytes(prefix),
                o,
                Watch.listener(this::onEvents, this::onError, this::onEnd));
  }

  /** Lists and watches again if the watch broke; the listing runs in the background. */
  void repairIfBroken() {
    if (!broken || closed) {
      return;
    }
    broken = false;
    io.list(prefix)
        .whenCompleteAsync(
            (l, e) -> {
              if (closed) {
                return;
              }
              if (e != null) {
                broken = true;
              } else {
                start(l);
              }
            },
            executor);
  }

  private void onEvents(WatchResponse r) {
    for (WatchEvent e : r.getEvents()) {
      KeyValue kv = e.getKeyValue();
      String key = EtcdIo.text(kv.getKey());
      if (e.getEventType() == WatchEvent.EventType.DELETE) {
        cache.apply(key, Versioned.deleted(kv.getModRevision()));
      } else if (e.getEventType() == WatchEvent.EventType.PUT) {
        cache.apply(key, EtcdIo.versioned(kv));
      }
    }
  }

  private void onError(Throwable t) {
    if (!closed) {
      log.info("{}: watch broken, listing again: {}", name, EtcdIo.rootMessage(t));
      broken = true;
    }
  }

  private void onEnd() {
    if (!closed) {
      broken = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    Watch.Watcher w = watcher;
    if (w != null) {
      w.close();
    }
  }
}
