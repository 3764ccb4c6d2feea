package dev.sluice.admin;

import dev.sluice.config.SluiceConfig;
import dev.sluice.config.ZoneConfig;
import dev.sluice.config.change.Approvals;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.time.Clock;
import dev.sluice.transfer.FleetTransfers;
import dev.sluice.transfer.TransferAllowance;
import dev.sluice.transfer.TransferAllowances;
import dev.sluice.transfer.TransferFile;
import dev.sluice.transfer.TransferRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a node's approved transfers live beyond the request that allowed them (decision 0023):
 *
 * <ul>
 *   <li><b>local store</b>: a {@link TransferFile} in the data directory, read at start;
 *   <li><b>etcd store</b>: {@link FleetTransfers} keys shared by every node of the prefix, which
 *       expire with the allowance; every confirmed listing replaces this node's allowances, which
 *       are honoured only until {@link #CONFIRMATIONS_MISSED} re-reads have been missed (fail
 *       closed: a node that cannot reach etcd stops honouring allowances within seconds, and cannot
 *       make one, since {@link #keep} fails);
 *   <li>neither (a node without a data plane of its own, tests): memory.
 * </ul>
 *
 * Every record read back, from the file or the fleet, is honoured only if its approvals count again
 * now ({@link Approvals#check} against this node's running configuration: its hash, its operators,
 * its clock) and its zone and tenant exist here: a reload (another hash), a record for another
 * configuration, an expired approval or an edited record allow nothing. Thread-safe.
 */
public final class TransferBook {

  private static final Logger log = LoggerFactory.getLogger(TransferBook.class);

  /** How many fleet re-reads may be missed before the fleet's allowances stop being honoured. */
  static final int CONFIRMATIONS_MISSED = 3;

  /** The allowance could not be made durable or shared; it is not in force. */
  static final class NotKept extends Exception {
    private static final long serialVersionUID = 1L;

    NotKept(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final SluiceConfig running;
  private final Clock clock;
  private final TransferAllowances allowances = new TransferAllowances();
  private final TransferFile file;
  private final FleetTransfers fleet;
  private final long fleetTimeoutMillis;
  private final Set<String> reported = new HashSet<>();

  /**
   * @param file where the allowances are saved on the local store (null: memory only, or fleet)
   * @param fleet the etcd store's allowances ({@link FleetTransfers#NONE}: not shared)
   * @param fleetTimeoutMillis how long {@link #keep} waits for the fleet
   */
  public TransferBook(
      SluiceConfig running,
      Clock clock,
      TransferFile file,
      FleetTransfers fleet,
      long fleetTimeoutMillis) {
    this.running = Objects.requireNonNull(running, "running");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.fleet = Objects.requireNonNull(fleet, "fleet");
    this.file = fleet == FleetTransfers.NONE ? file : null;
    this.fleetTimeoutMillis = fleetTimeoutMillis;
  }

  /** Allowances in memory only. */
  public static TransferBook inMemory(SluiceConfig running, Clock clock) {
    return new TransferBook(running, clock, null, FleetTransfers.NONE, 0);
  }

  /** The allowances the data plane asks (shared with the gateway). */
  public TransferAllowances allowances() {
    return allowances;
  }

  /** Whether allowances are shared with other nodes. */
  boolean shared() {
    return fleet != FleetTransfers.NONE;
  }

  /**
   * Registers the allowances kept before: from the file (those whose approvals still count), or by
   * following the fleet's (the first listing is applied before this returns if etcd answers).
   */
  public void start() {
    if (shared()) {
      allowances.replace(List.of(), Long.MIN_VALUE); // nothing honoured until etcd confirms
      fleet.watch(this::fromFleet);
      return;
    }
    if (file == null) {
      return;
    }
    try {
      long now = clock.millis();
      for (TransferRecord r : file.read(log::error)) {
        TransferAllowance a = confirm(r, now, false);
        if (a != null) {
          allowances.allow(a);
          log.info(
              "approved transfer {} in force again until {} ({})",
              a.subject(),
              Instant.ofEpochMilli(a.expiresMillis()),
              file.path());
        }
      }
    } catch (IOException e) {
      log.error("cannot read {}: {}; no approved transfer is in force", file.path(), e.toString());
    }
  }

  /**
   * Makes {@code r} durable (file) or shared (fleet), then puts it in force here.
   *
   * @throws NotKept when the file cannot be written or the fleet does not answer in time
   */
  void keep(TransferRecord r) throws NotKept {
    long now = clock.millis();
    if (shared()) {
      try {
        fleet.publish(r, now).get(fleetTimeoutMillis, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new NotKept(
            "the allowance could not be shared with every node of "
                + fleet.describe()
                + " ("
                + FleetLink.why(e)
                + "), so it is not in force anywhere; try again once etcd answers",
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NotKept("interrupted while sharing the allowance", e);
      }
    } else if (file != null) {
      synchronized (this) {
        try {
          List<TransferRecord> all = new ArrayList<>(file.read(log::error));
          all.add(r);
          file.write(all, now);
        } catch (IOException e) {
          throw new NotKept(
              "the allowance could not be saved in "
                  + file.path()
                  + " ("
                  + e
                  + "), so it is not"
                  + " in force",
              e);
        }
      }
    }
    allowances.allow(TransferAllowance.parse(r.subject(), r.expiresMillis()));
  }

  /** A confirmed fleet listing: its records that count here replace this node's allowances. */
  private void fromFleet(List<TransferRecord> records) {
    long now = clock.millis();
    List<TransferAllowance> ok = new ArrayList<>();
    for (TransferRecord r : records) {
      TransferAllowance a = confirm(r, now, true);
      if (a != null) {
        ok.add(a);
      }
    }
    long window = Math.multiplyExact(fleet.resyncMillis(), CONFIRMATIONS_MISSED);
    allowances.replace(ok, Math.addExact(now, window));
  }

  /**
   * The allowance {@code r} gives on this node at {@code now}, or null (logged once per record)
   * when its approvals do not count here; {@code fromFleet}: bound to the hash the approvals name
   * (all the same one), else to this node's.
   */
  TransferAllowance confirm(TransferRecord r, long now, boolean fromFleet) {
    String why = null;
    TransferAllowance asked = TransferAllowance.parse(r.subject(), r.expiresMillis());
    ZoneConfig zone = running.zone(asked.zone());
    if (!running.changeControl().enabled()) {
      why = "the running configuration has no change_control";
    } else if (zone == null || !zone.tenants().containsKey(asked.tenant())) {
      why = "the running configuration has no tenant " + asked.tenant() + " in " + asked.zone();
    } else if (now >= r.expiresMillis()) {
      why = "it expired at " + Instant.ofEpochMilli(r.expiresMillis());
    }
    long expires = r.expiresMillis();
    if (why == null) {
      List<ChangeApproval> given;
      try {
        given = ChangeApproval.parseAll(r.approvals());
      } catch (IllegalArgumentException e) {
        given = List.of();
      }
      String bound = fromFleet && !given.isEmpty() ? given.get(0).running() : running.sha256Hex();
      Approvals.Verdict v =
          Approvals.check(
              running.changeControl(),
              ChangeApproval.KIND_TRANSFER,
              bound,
              r.subject(),
              given,
              now);
      if (!v.enough()) {
        why =
            "its approvals do not count for configuration "
                + bound
                + ": "
                + String.join("; ", v.rejected());
      } else {
        for (ChangeApproval a : v.counted().values()) {
          expires = Math.min(expires, Math.multiplyExact(a.expiresSeconds(), 1000L));
        }
      }
    }
    if (why != null) {
      synchronized (reported) {
        if (reported.add(r.key())) {
          log.info("approved transfer {} is not in force here: {}", r.subject(), why);
        }
      }
      return null;
    }
    return TransferAllowance.parse(r.subject(), expires);
  }
}
