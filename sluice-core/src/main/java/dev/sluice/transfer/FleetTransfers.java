package dev.sluice.transfer;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The approved transfers shared by every gateway node of an etcd store: one key per allowance,
 * which vanishes at its expiry ({@code docs/formats/etcd-v1.md}). A node publishes the allowances
 * made through it and is told the whole set whenever it may have changed and on a periodic re-read;
 * each node re-checks every record's approvals before honouring it. {@link #NONE} without a shared
 * store.
 */
public interface FleetTransfers extends AutoCloseable {

  /**
   * Publishes {@code record} until its expiry; completes once the store has it, or exceptionally if
   * the store cannot be reached within its operation timeout.
   */
  CompletableFuture<Void> publish(TransferRecord record, long nowMillis);

  /**
   * Starts telling {@code sink} every allowance in the store: the first listing before this returns
   * if the store answers within its operation timeout, then after every change and on every
   * periodic re-read that the store answered (never when it did not: silence means "unconfirmed").
   * {@code sink} runs on one thread, one call at a time.
   */
  void watch(Consumer<List<TransferRecord>> sink);

  /** How often the whole set is read again while the store answers. */
  long resyncMillis();

  /** E.g. {@code etcd:http://10.0.0.1:2379/sluice/berlin}. */
  String describe();

  @Override
  void close();

  /** No shared store. */
  FleetTransfers NONE =
      new FleetTransfers() {
        @Override
        public CompletableFuture<Void> publish(TransferRecord record, long nowMillis) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public void watch(Consumer<List<TransferRecord>> sink) {}

        @Override
        public long resyncMillis() {
          return Long.MAX_VALUE;
        }

        @Override
        public String describe() {
          return "none";
        }

        @Override
        public void close() {}
      };
}
