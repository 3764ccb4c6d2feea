package dev.sluice.admin;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.ZoneConfig;
import dev.sluice.config.change.Approvals;
import dev.sluice.config.change.ChangeEntries;
import dev.sluice.config.change.ConfigDiff;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.time.Clock;
import dev.sluice.transfer.TransferAllowance;
import dev.sluice.transfer.TransferRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Change control at the two places a running node can be loosened: a configuration reload ({@code
 * POST /api/reload}, SIGHUP) and lifting a halt ({@code POST /api/resume}).
 *
 * <p>A reload is checked in this order, and every step that decides is ledgered (CHANGE entries,
 * {@link ChangeEntries}) before the node acts on it: the new file must load without errors (refusal
 * otherwise); it must not change what a reload cannot apply ({@link ConfigDiff#restartOnly}); the
 * proposal is recorded with what it loosens and the running configuration's operator keys; when it
 * loosens anything and {@code change_control} is configured, each approval that counts ({@link
 * Approvals}, checked against the <em>running</em> operators and the injected clock) is recorded
 * with its signature, and too few approvals are a refusal listing what loosens and why each other
 * approval did not count; then {@link ConfigSwap} applies it. A tightening needs no approval. One
 * reload at a time: the node is replaced by the one it starts.
 *
 * <p>Lifting a halt is a loosening: with {@code change_control}, it needs approvals bound to the
 * scope and the start of the halt ({@code SCOPE@SINCE_MILLIS}), so an approval cannot lift a later
 * halt. Thread-safe.
 */
public final class ChangeGate {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ChangeGate.class);

  /** How a change request ended. */
  public enum Status {
    /** Checked, ledgered and handed to {@link ConfigSwap} (or, for a resume, allowed). */
    ACCEPTED,
    /** The new file is byte-for-byte the running one: nothing to do. */
    UNCHANGED,
    /** The new file does not load. */
    INVALID,
    /** The change touches what only a restart can change. */
    RESTART_REQUIRED,
    /** It loosens something and carries too few valid approvals. */
    APPROVALS_REQUIRED,
    /** Another reload is being applied. */
    BUSY,
    /** The ledger refused an entry: nothing was applied. */
    NOT_LEDGERED,
    /** An approved transfer could not be saved or shared (etcd unreachable): not in force. */
    UNAVAILABLE
  }

  /**
   * The answer to a change request.
   *
   * @param loosens what the change loosens (empty for a tightening)
   * @param approvedBy the operators whose approvals counted
   * @param details the load errors, restart-only differences or rejected approvals
   * @param subject the new file's SHA-256, or the halt's {@code SCOPE@SINCE_MILLIS}
   */
  public record Outcome(
      Status status,
      String message,
      List<String> loosens,
      List<String> approvedBy,
      List<String> details,
      String subject) {
    public Outcome {
      loosens = List.copyOf(loosens);
      approvedBy = List.copyOf(approvedBy);
      details = List.copyOf(details);
    }

    public boolean accepted() {
      return status == Status.ACCEPTED || status == Status.UNCHANGED;
    }
  }

  private final SluiceConfig running;
  private final Ledger ledger;
  private final Clock clock;
  private final ConfigSwap swap;
  private final AtomicBoolean applying = new AtomicBoolean();

  public ChangeGate(SluiceConfig running, Ledger ledger, Clock clock, ConfigSwap swap) {
    this.running = running;
    this.ledger = ledger;
    this.clock = clock;
    this.swap = swap;
  }

  /** Checks the configuration {@code text} (named {@code source}) and applies it if allowed. */
  public Outcome reload(String source, String text, List<ChangeApproval> given) {
    return reload(source, text, given, Runnable::run);
  }

  /**
   * Like {@link #reload(String, String, List)}, but the swap is started through {@code later} (the
   * admin API starts it once its answer is written, since the swap stops the server).
   */
  public synchronized Outcome reload(
      String source, String text, List<ChangeApproval> given, Consumer<Runnable> later) {
    String kind = ChangeApproval.KIND_CONFIG;
    String was = running.sha256Hex();
    String sha = ConfigLoader.sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    try {
      if (applying.get()) {
        return refuse(
            kind, sha, Status.BUSY, "another reload is being applied", List.of(), List.of());
      }
      ConfigResult r = ConfigLoader.parse(source, text);
      if (!r.ok()) {
        List<String> errors = r.errors().stream().map(ConfigProblem::format).toList();
        return refuse(
            kind, sha, Status.INVALID, "the new configuration is not valid", errors, List.of());
      }
      SluiceConfig next = r.config();
      if (sha.equals(was)) {
        return new Outcome(
            Status.UNCHANGED,
            "the new file is the running configuration",
            List.of(),
            List.of(),
            List.of(),
            sha);
      }
      SluiceConfig runningAsRun = swap.asRun(running);
      SluiceConfig nextAsRun = swap.asRun(next);
      List<String> restart = ConfigDiff.restartOnly(runningAsRun, nextAsRun);
      if (!restart.isEmpty()) {
        return refuse(
            kind,
            sha,
            Status.RESTART_REQUIRED,
            "a reload cannot change these; restart the node with the new file",
            restart,
            List.of());
      }
      List<String> loosens = ConfigDiff.loosenings(runningAsRun, nextAsRun);
      Decision d = approve(kind, sha, source, loosens, given);
      if (d.refusal() != null) {
        return d.refusal();
      }
      List<String> approvedBy = d.approvedBy();
      if (swap == ConfigSwap.NONE) {
        return refuse(
            kind,
            sha,
            Status.BUSY,
            "this node cannot reload its configuration",
            List.of(),
            loosens);
      }
      applying.set(true);
      LedgerEntry application =
          ChangeEntries.application(clock.millis(), kind, was, sha, approvedBy);
      later.accept(() -> swap.apply(next, application));
      return new Outcome(
          Status.ACCEPTED,
          "applying the new configuration " + sha,
          loosens,
          approvedBy,
          List.of(),
          sha);
    } catch (CompletionException | IllegalStateException e) {
      return notLedgered(sha, e);
    }
  }

  /**
   * Whether the halt of {@code scope} (in force since {@code sinceMillis}) may be lifted with
   * {@code given}; ledgers the proposal, the approvals that count and a refusal.
   */
  public synchronized Outcome resume(String scope, long sinceMillis, List<ChangeApproval> given) {
    String subject = scope + "@" + sinceMillis;
    try {
      List<String> loosens = List.of("lifts the halt of " + scope + " (since " + sinceMillis + ")");
      Decision d = approve(ChangeApproval.KIND_RESUME, subject, "admin API resume", loosens, given);
      if (d.refusal() != null) {
        return d.refusal();
      }
      return new Outcome(
          Status.ACCEPTED, "resume allowed", loosens, d.approvedBy(), List.of(), subject);
    } catch (CompletionException | IllegalStateException e) {
      return notLedgered(subject, e);
    }
  }

  /**
   * Ledgers that an allowed resume was applied. The resume itself is already ledgered (its RESUME
   * entry) and in force, so a ledger that refuses this entry is logged, not an error.
   */
  public void resumed(Outcome allowed) {
    try {
      append(
          ChangeEntries.application(
              clock.millis(),
              ChangeApproval.KIND_RESUME,
              running.sha256Hex(),
              allowed.subject(),
              allowed.approvedBy()));
    } catch (CompletionException | IllegalStateException e) {
      log.error(
          "the application of resume {} could not be ledgered: {}",
          allowed.subject(),
          e.toString());
    }
  }

  /**
   * Whether the large transfer approved by {@code given} may go through: all approvals must be of
   * kind {@code transfer} and name the same subject ({@code ZONE,TENANT,BYTES,DESTINATION}), its
   * zone and tenant must be in the running configuration, and {@code change_control.approvals}
   * distinct operators must approve it (there is no transfer allowance without change control).
   * Ledgers the proposal, the approvals that count, and a refusal or the application. An accepted
   * allowance, until the earliest expiry of its approvals, is first kept by {@code book} (saved in
   * the data directory, or shared with every node of the etcd store: {@link TransferBook#keep}; if
   * that fails, a refusal is ledgered and the answer is {@link Status#UNAVAILABLE}), then the
   * application is ledgered and the allowance is in force.
   */
  public synchronized Outcome transfer(List<ChangeApproval> given, TransferBook book) {
    String kind = ChangeApproval.KIND_TRANSFER;
    String subject = given.isEmpty() ? "none" : given.get(0).subject();
    try {
      if (!running.changeControl().enabled()) {
        return refuse(
            kind,
            subject,
            Status.INVALID,
            "transfer allowances need change_control in the running configuration",
            List.of(),
            List.of());
      }
      TransferAllowance asked;
      try {
        asked = TransferAllowance.parse(subject, Long.MAX_VALUE);
      } catch (IllegalArgumentException e) {
        return refuse(kind, subject, Status.INVALID, e.getMessage(), List.of(), List.of());
      }
      var zone = running.zone(asked.zone());
      if (zone == null || !zone.tenants().containsKey(asked.tenant())) {
        return refuse(
            kind,
            subject,
            Status.INVALID,
            "the running configuration has no tenant "
                + asked.tenant()
                + " in zone "
                + asked.zone(),
            List.of(),
            List.of());
      }
      List<String> loosens =
          List.of(
              "allows single transfers of up to "
                  + asked.bytes()
                  + " bytes by "
                  + asked.tenant()
                  + " of zone "
                  + asked.zone()
                  + " to "
                  + asked.destination()
                  + " (max_transfer "
                  + (zone.maxTransfer() == ZoneConfig.UNLIMITED ? "none" : zone.maxTransfer())
                  + ")");
      Decision d = approve(kind, subject, "admin API transfer allow", loosens, given);
      if (d.refusal() != null) {
        return d.refusal();
      }
      // The approvals that counted (not merely ones by the same operators): their expiries bound
      // the allowance, and they are what every later reader re-checks.
      long expires = Long.MAX_VALUE;
      StringBuilder counted = new StringBuilder();
      for (ChangeApproval a : d.counted()) {
        expires = Math.min(expires, Math.multiplyExact(a.expiresSeconds(), 1000L));
        counted.append(a.encode());
      }
      try {
        book.keep(new TransferRecord(subject, expires, counted.toString()));
      } catch (TransferBook.NotKept e) {
        return refuse(kind, subject, Status.UNAVAILABLE, e.getMessage(), List.of(), loosens);
      }
      append(
          ChangeEntries.application(
              clock.millis(), kind, running.sha256Hex(), subject, d.approvedBy()));
      return new Outcome(
          Status.ACCEPTED,
          "transfer allowed until " + Instant.ofEpochMilli(expires),
          loosens,
          d.approvedBy(),
          List.of(),
          subject);
    } catch (CompletionException | IllegalStateException e) {
      return notLedgered(subject, e);
    }
  }

  /** True when lifting a halt needs approvals here. */
  public boolean resumeNeedsApprovals() {
    return running.changeControl().enabled();
  }

  /**
   * The operators whose approvals counted and those approvals, or the (ledgered) refusal when too
   * few did.
   */
  private record Decision(List<String> approvedBy, List<ChangeApproval> counted, Outcome refusal) {}

  /** Ledgers the proposal and the approvals that count, and decides. */
  private Decision approve(
      String kind,
      String subject,
      String source,
      List<String> loosens,
      List<ChangeApproval> given) {
    var control = running.changeControl();
    int needed = control.enabled() && !loosens.isEmpty() ? control.approvals() : 0;
    String was = running.sha256Hex();
    append(
        ChangeEntries.proposal(
            clock.millis(), kind, was, subject, source, loosens, control, needed));
    if (needed == 0) {
      return new Decision(List.of(), List.of(), null);
    }
    Approvals.Verdict v = Approvals.check(control, kind, was, subject, given, clock.millis());
    v.counted()
        .forEach(
            (op, a) ->
                append(ChangeEntries.approval(clock.millis(), a, control.operators().get(op))));
    if (v.enough()) {
      return new Decision(
          List.copyOf(v.counted().keySet()), List.copyOf(v.counted().values()), null);
    }
    List<String> details = new ArrayList<>(v.rejected());
    Outcome refusal =
        refuse(
            kind,
            subject,
            Status.APPROVALS_REQUIRED,
            "this change loosens what is listed and needs approvals from "
                + needed
                + " distinct operators; it has "
                + v.counted().size()
                + (v.counted().isEmpty()
                    ? ""
                    : " (" + String.join(", ", v.counted().keySet()) + ")")
                + ". Each operator approves with `sluice change "
                + switch (kind) {
                  case ChangeApproval.KIND_CONFIG -> "approve`";
                  case ChangeApproval.KIND_TRANSFER -> "approve-transfer`";
                  default -> "approve-resume`";
                },
            details,
            loosens);
    return new Decision(null, List.of(), refusal);
  }

  private Outcome refuse(
      String kind,
      String subject,
      Status status,
      String message,
      List<String> details,
      List<String> loosens) {
    List<String> all = new ArrayList<>(loosens);
    all.addAll(details);
    append(ChangeEntries.refusal(clock.millis(), kind, running.sha256Hex(), subject, message, all));
    return new Outcome(status, message, loosens, List.of(), details, subject);
  }

  private Outcome notLedgered(String subject, RuntimeException e) {
    return new Outcome(
        Status.NOT_LEDGERED,
        "the ledger refused a change entry, so nothing was changed: " + e.getMessage(),
        List.of(),
        List.of(),
        List.of(),
        subject);
  }

  private void append(LedgerEntry e) {
    ledger.append(e).join();
  }
}
