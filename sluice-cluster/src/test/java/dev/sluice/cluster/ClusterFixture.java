package dev.sluice.cluster;

import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.ledger.IndexedEntry;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.time.Clock;
import dev.sluice.time.Window;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Budget trees, stores, ledgers and direct etcd reads for the etcd store's tests. Each test uses
 * its own key prefix, so tests can share one etcd.
 */
public final class ClusterFixture {

  public static final ZoneId UTC = ZoneId.of("UTC");
  public static final Duration TTL = Duration.ofSeconds(30);

  private ClusterFixture() {}

  /** site (no limit); zone z (no limit); tenant z/t with a day cap of {@code tenantDayCap}. */
  public static BudgetTree tree(long tenantDayCap) {
    return tree(List.of(new Limit(Window.DAY, tenantDayCap)));
  }

  /** As {@link #tree(long)}, with {@code tenantLimits} on tenant z/t. */
  public static BudgetTree tree(List<Limit> tenantLimits) {
    return BudgetTree.builder(List.of(new Limit(Window.LIFETIME, 1L << 40)))
        .zone("z", List.of())
        .tenant("z", "t", tenantLimits)
        .tenant("z", "u", List.of())
        .destination("z", "*.corp.example", List.of(new Limit(Window.MONTH, 1L << 30)))
        .build();
  }

  public static BudgetPath tenantPath(BudgetTree tree) {
    return tree.path("z", "t", null);
  }

  public static EtcdStoreOptions options(
      List<URI> endpoints, String prefix, String node, Duration opTimeout) {
    return new EtcdStoreOptions(endpoints, prefix, node, TTL, opTimeout);
  }

  public static EtcdBudgetStore open(
      BudgetTree tree, EtcdStoreOptions o, ChunkPolicy policy, Clock clock, Ledger ledger)
      throws IOException {
    return EtcdBudgetStore.open(tree, UTC, o, policy, clock, ledger);
  }

  public static Ledger ledger(Path dir, Clock clock) throws IOException {
    LedgerOptions o =
        LedgerOptions.builder(dir, "sluice/test").checkpointInterval(Duration.ofMillis(50)).build();
    return Ledger.open(o, clock, null, e -> {});
  }

  /** The entries of the (closed) ledger in {@code dir}. */
  public static List<LedgerEntry> entries(Path dir) throws IOException {
    List<LedgerEntry> out = new ArrayList<>();
    try (LedgerReader r = LedgerReader.open(dir.resolve("ledger"))) {
      r.forEach((IndexedEntry e) -> out.add(e.entry()));
    }
    return out;
  }

  /** A plain client for reading etcd directly, as an operator would. */
  public static Client client(List<URI> endpoints) {
    return Client.builder().endpoints(endpoints.toArray(new URI[0])).build();
  }

  /** The decimal value of {@code key}, 0 if absent. */
  public static long counter(Client c, String key) throws Exception {
    GetResponse r =
        c.getKVClient()
            .get(ByteSequence.from(key, StandardCharsets.UTF_8))
            .get(10, TimeUnit.SECONDS);
    return r.getKvs().isEmpty()
        ? 0
        : Long.parseLong(r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));
  }

  /** How many keys start with {@code prefix}. */
  public static long count(Client c, String prefix) throws Exception {
    return c.getKVClient()
        .get(
            ByteSequence.from(prefix, StandardCharsets.UTF_8),
            io.etcd.jetcd.options.GetOption.builder().isPrefix(true).withCountOnly(true).build())
        .get(10, TimeUnit.SECONDS)
        .getCount();
  }
}
