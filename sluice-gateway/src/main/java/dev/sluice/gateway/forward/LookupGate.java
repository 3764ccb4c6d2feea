package dev.sluice.gateway.forward;

import dev.sluice.config.LookupConfig;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.meter.Payer;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.stats.GatewayStats;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Pays for a name lookup before it is sent, because a lookup is egress: its queries carry the name
 * (labels the client chose, under an allowed {@code *.suffix}) out through the site's resolvers. In
 * order, on the client's event loop:
 *
 * <ol>
 *   <li>the {@link LookupCache}: a name in flight or looked up recently is answered from it; that
 *       sends nothing and costs nothing;
 *   <li>the tenant's {@link LookupLimit}: none left refuses with {@link Reason#LOOKUP_LIMIT};
 *   <li>the charge: the resolver's {@link HostResolver#maxLookupBytes upper bound} of the lookup's
 *       bytes is charged to the request's account (zone, tenant, destination pattern), like any
 *       other egress byte, through the same {@link Payer} as the meters, asking the store for
 *       escrow if needed. A cap that cannot pay it refuses with {@link
 *       Reason#LOOKUP_BUDGET_EXHAUSTED} (the denial's node and window in the ledger entry);
 *   <li>only then the lookup, on the {@link Lookups} executor, kept in the cache.
 * </ol>
 *
 * In report mode neither the limit nor a cap refuses: the refusal is recorded as {@code would_deny}
 * and the lookup goes on (bytes a cap refused counted as would-deny). The bytes charged count in
 * the connection's record ({@code charged}, {@code bytes_out}) and in the listener's egress bytes.
 * Stateless per request; shared by the connections of one listener. Thread-safe.
 */
final class LookupGate {

  /** Bounded: an account that other connections keep spending is refused rather than chased. */
  static final int MAX_REFILLS = 8;

  /** Who pays for a lookup: the request's connection record, tenant and account. */
  record Charge(ConnectionRecord record, String tenant, EscrowAccount account) {}

  /** What became of a lookup; called on the client's event loop while the client is open. */
  interface Resolved {
    void addresses(List<InetAddress> addresses);

    /** The name did not resolve (or the lookup could not be made). */
    void failed(Throwable error);

    /** Refused before anything was sent; the evidence is not written yet. */
    void refused(Refusal refusal);
  }

  private final ListenerContext lc;
  private final HostResolver resolver;
  private final Lookups lookups;
  private final LookupCache cache;
  private final LookupLimit limit;
  private final GatewayStats.ListenerStats stats;

  LookupGate(ListenerContext lc, HostResolver resolver, LookupConfig config) {
    this.lc = lc;
    this.resolver = resolver;
    this.lookups = new Lookups(resolver, lc.name());
    this.cache =
        new LookupCache(
            lc.clock(),
            config.cacheSize(),
            config.cacheTtl().toMillis(),
            config.negativeTtl().toMillis());
    this.limit = new LookupLimit(lc.clock(), config.perMinute());
    this.stats = lc.meter().listenerStats();
  }

  /** Resolves {@code host} for a request paid by {@code c}; {@code out} learns the outcome. */
  void resolve(Channel client, Charge c, String host, Resolved out) {
    CompletableFuture<List<InetAddress>> hit = cache.get(host);
    if (hit != null) {
      stats.lookupCacheHits.increment();
      deliver(client, hit, out);
      return;
    }
    if (!limit.tryTake(c.tenant())) {
      Refusal r =
          Refusal.of(
              Reason.LOOKUP_LIMIT,
              host + ": at most " + limit.perMinute() + " lookups a minute per tenant");
      if (!lc.meter().reportMode()) {
        out.refused(r);
        return;
      }
      lc.evidence().wouldDeny(c.record(), c.tenant(), r);
    }
    long bytes = resolver.maxLookupBytes(host);
    pay(client, c, host, bytes, new Payer(lc.meter(), c.record()), 0, out);
  }

  private void pay(
      Channel client, Charge c, String host, long bytes, Payer payer, int refills, Resolved out) {
    int r = bytes == 0 ? Payer.PAID : payer.charge(c.account(), bytes, false);
    if (r == Payer.PAID) {
      boolean wouldDeny = payer.lastWouldDeny();
      payer.paid(bytes, false, wouldDeny);
      if (!wouldDeny) {
        stats.lookupBytes.add(bytes);
      }
      send(client, host, out);
    } else if (r == Payer.REFUSED) {
      out.refused(lookupRefusal(payer.refusal(), host, bytes));
    } else if (refills >= MAX_REFILLS) {
      out.refused(
          Refusal.of(
              Reason.LOOKUP_BUDGET_EXHAUSTED,
              host + ": the escrow was spent by other connections " + refills + " times"));
    } else {
      payer
          .refill(c.account(), bytes, false)
          .whenComplete(
              (o, e) ->
                  client
                      .eventLoop()
                      .execute(() -> refilled(client, c, host, bytes, payer, refills, o, out)));
    }
  }

  private void refilled(
      Channel client,
      Charge c,
      String host,
      long bytes,
      Payer payer,
      int refills,
      EscrowAccount.Outcome o,
      Resolved out) {
    if (!client.isActive()) {
      return;
    }
    switch (payer.refilled(o, false)) {
      case RETRY -> pay(client, c, host, bytes, payer, refills + 1, out);
      case WOULD_DENY -> {
        lc.evidence()
            .wouldDeny(c.record(), c.tenant(), lookupRefusal(payer.refusal(), host, bytes));
        pay(client, c, host, bytes, payer, refills + 1, out);
      }
      case REFUSE -> out.refused(lookupRefusal(payer.refusal(), host, bytes));
    }
  }

  private void send(Channel client, String host, Resolved out) {
    stats.lookupsSent.increment();
    CompletableFuture<List<InetAddress>> f = lookups.lookup(host);
    cache.put(host, f);
    deliver(client, f, out);
  }

  private static void deliver(
      Channel client, CompletableFuture<List<InetAddress>> f, Resolved out) {
    f.whenComplete(
        (addresses, error) ->
            client
                .eventLoop()
                .execute(
                    () -> {
                      if (!client.isActive()) {
                        return;
                      }
                      if (error != null) {
                        out.failed(error);
                      } else {
                        out.addresses(addresses);
                      }
                    }));
  }

  /**
   * A cap's refusal of a lookup is its own reason; others (halt, store, ledger) stay as they are.
   */
  private static Refusal lookupRefusal(Refusal r, String host, long bytes) {
    if (r.reason() != Reason.BUDGET_EXHAUSTED) {
      return r;
    }
    return new Refusal(
        Reason.LOOKUP_BUDGET_EXHAUSTED,
        r.denial(),
        null,
        "lookup of " + host + " (" + bytes + " bytes): " + r.detail(),
        null);
  }
}
