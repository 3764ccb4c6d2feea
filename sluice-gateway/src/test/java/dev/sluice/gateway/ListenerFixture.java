package dev.sluice.gateway;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.evidence.Evidence;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.meter.ControlReserve;
import dev.sluice.gateway.meter.MeterSettings;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.gateway.transfer.MaxTransfer;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.ledger.LedgerReader;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.time.ManualClock;
import dev.sluice.time.WindowCalendar;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One listener of a given mode ({@code reverse}, {@code forward} or {@code tcp}, named after its
 * mode) in zone {@code inference}, with a real local budget store and ledger in a temp dir and a
 * manual clock, but no sockets: the handlers under test run in an {@code EmbeddedChannel}. Tenants:
 * {@code default} (1GB a day), {@code small} (a 1KiB day cap: a request needing more is denied),
 * {@code capped} (200,000 bytes a day), {@code stream} (the same cap, for the meter's streams: many
 * times the escrow chunk). The tcp listener maps clients from {@code 10.0.0.0/8} to {@code small}.
 */
public final class ListenerFixture implements AutoCloseable {

  public final ManualClock clock = ManualClock.at("2026-11-23T10:00:00Z");
  public final SluiceConfig config;
  public final ListenerContext lc;
  public final HaltState halts;
  public final GatewayStats stats;
  private final Path dir;
  private final LocalBudgetStore store;
  private final Escrow escrow;
  private boolean closed;

  public ListenerFixture(Path dir, String listenerMode, String mode) throws Exception {
    this(dir, listenerMode, mode, 1024, 4096);
  }

  /** A listener whose escrow grants are chunks of {@code minChunk} to {@code maxChunk} bytes. */
  public ListenerFixture(Path dir, String listenerMode, String mode, long minChunk, long maxChunk)
      throws Exception {
    this(dir, listenerMode, mode, minChunk, maxChunk, "");
  }

  /**
   * A listener with {@code extra} appended to the configuration's top level (whole lines, e.g.
   * {@code "timeouts: { request_head: 2s }\n"}).
   */
  public ListenerFixture(Path dir, String listenerMode, String mode, String extra)
      throws Exception {
    this(dir, listenerMode, mode, 1024, 4096, extra);
  }

  /**
   * A listener whose zone has {@code max_transfer: maxTransfer} (e.g. {@code "4KiB"}), escrow
   * chunks of 1KiB to 4KiB.
   */
  public static ListenerFixture withMaxTransfer(
      Path dir, String listenerMode, String mode, String maxTransfer) throws Exception {
    return new ListenerFixture(
        dir, listenerMode, mode, 1024, 4096, "", "      max_transfer: " + maxTransfer + "\n");
  }

  private ListenerFixture(
      Path dir, String listenerMode, String mode, long minChunk, long maxChunk, String extra)
      throws Exception {
    this(dir, listenerMode, mode, minChunk, maxChunk, extra, "");
  }

  private ListenerFixture(
      Path dir,
      String listenerMode,
      String mode,
      long minChunk,
      long maxChunk,
      String extra,
      String zoneExtra)
      throws Exception {
    this.dir = dir;
    String listener =
        switch (listenerMode) {
          case "reverse" ->
              "{ name: reverse, mode: reverse, bind: \"127.0.0.1:0\", upstream:"
                  + " \"http://127.0.0.1:9\", zone: inference, tenant_header: X-Tenant }";
          case "forward" ->
              "{ name: forward, mode: forward, bind: \"127.0.0.1:0\", zone: inference }";
          case "tcp" ->
              "{ name: tcp, mode: tcp, bind: \"127.0.0.1:0\", upstream: \"127.0.0.1:9\","
                  + " zone: inference, egress: upstream,"
                  + " tenants_by_source: { \"10.0.0.0/8\": small } }";
          default -> throw new IllegalArgumentException(listenerMode);
        };
    String yaml =
        """
        site: test
        model: { name: m, weight_bytes: 10GB }
        mode: %s
        data_dir: %s
        budgets:
          limits: [ { window: day, cap: 10GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              tenants:
                default: { limits: [ { window: day, cap: 1GB } ] }
                small: { limits: [ { window: day, cap: 1KiB } ] }
                capped: { limits: [ { window: day, cap: 200000 } ] }
                stream: { limits: [ { window: day, cap: 200000 } ] }
        listeners:
          - %s
        admin: { bind: 127.0.0.1:0 }
        escrow: { min_chunk: %d, max_chunk: %d }
        """
                .formatted(mode, dir, listener, minChunk, maxChunk)
                .replace("\nlisteners:", "\n" + zoneExtra + "listeners:")
            + extra;
    ConfigResult r = ConfigLoader.parse("test.yaml", yaml);
    if (!r.ok()) {
      throw new IllegalArgumentException(String.join("\n", ConfigLoader.formatAll(r)));
    }
    config = r.config();
    BudgetTree tree = BudgetTrees.of(config.budgets());
    store =
        LocalBudgetStore.open(
            tree,
            config.timeZone(),
            LedgerOptions.builder(dir, config.ledger().origin()).build(),
            new ChunkPolicy(minChunk, maxChunk),
            config.escrow().grantTtl(),
            clock);
    escrow = new Escrow(store, clock, 25, config.escrow().grantTtl());
    halts = new HaltState(tree.zones());
    stats = new GatewayStats(List.of(listenerMode));
    MeterSettings m =
        new MeterSettings(
            clock,
            halts.site(),
            halts.zone("inference"),
            () -> true,
            "report".equals(mode),
            stats,
            stats.listener(listenerMode),
            escrow.account(tree.controlPath()),
            new ControlReserve(1 << 20, new WindowCalendar(config.timeZone())));
    lc =
        new ListenerContext(
            config.listeners().get(0),
            tree,
            escrow,
            m,
            new Evidence(store.ledger(), clock, stats),
            Transport.nio(),
            clock,
            MaxTransfer.of(config.zone("inference")));
  }

  /** Spends the whole day cap of {@code tenant}, so that its next admission is refused. */
  public void spendAll(String tenant) {
    EscrowAccount a = lc.account(tenant);
    a.refill(1024).join();
    if (a.tryCharge(a.available(), clock.millis()) != EscrowAccount.CHARGED) {
      throw new IllegalStateException("cannot spend " + a);
    }
  }

  /** The budget store (to hold escrow the way another gateway node would). */
  public LocalBudgetStore store() {
    return store;
  }

  public ConnectionRecord record() {
    return new ConnectionRecord(lc.name(), lc.zone(), "10.0.0.1:5555", clock.millis(), 0);
  }

  /** Closes the store only (so no grant can be made: it is unavailable from now on). */
  public void closeStore() {
    store.close();
  }

  /** Closes the store, then reads every ledger entry of {@code type}. */
  public List<LedgerEntry> closeAndRead(EntryType type) throws Exception {
    close();
    return read(type);
  }

  /** Reads every ledger entry of {@code type} (after {@link #closeAndRead} or {@link #close}). */
  public List<LedgerEntry> read(EntryType type) throws Exception {
    List<LedgerEntry> out = new ArrayList<>();
    try (LedgerReader reader = LedgerReader.open(dir)) {
      reader.forEach(
          e -> {
            if (e.entry().type() == type) {
              out.add(e.entry());
            }
          });
    }
    return out;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      escrow.close();
      store.close();
    }
  }
}
