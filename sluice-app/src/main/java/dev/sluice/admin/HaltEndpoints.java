package dev.sluice.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.halt.HaltState;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/halt} and {@code POST /api/resume}: authenticate, read {@code zone} (absent: the
 * whole site) and {@code reason}, act through {@link HaltControl}, and answer with the scope's
 * state and every halt in force. With a shared store the answer says what happened in the fleet:
 * {@code fleet} is {@code published}, {@code not_published} or {@code lifted} ({@code none} without
 * one), {@code fleet_detail} says more; a resume that cannot lift the fleet halt is {@code 503
 * fleet_unreachable} and leaves egress halted. The work and its ledgering rules are {@link
 * HaltControl}'s; this class is the HTTP side.
 */
final class HaltEndpoints {

  /** Longest reason accepted; it goes into the ledger. */
  static final int MAX_REASON = 256;

  static final String DEFAULT_HALT_REASON = "halted through the admin API (no reason given)";
  static final String DEFAULT_RESUME_REASON = "resumed through the admin API (no reason given)";

  private static final Set<String> FIELDS = Set.of("zone", "reason");
  private static final Set<String> RESUME_FIELDS = Set.of("zone", "reason", "approvals");

  private final BearerAuth auth;
  private final HaltControl control;
  private final HaltState halts;
  private final List<String> zones;
  private ChangeGate gate;

  HaltEndpoints(BearerAuth auth, HaltControl control, HaltState halts, List<String> zones) {
    this.auth = auth;
    this.control = control;
    this.halts = halts;
    this.zones = List.copyOf(zones);
  }

  /** Where lifting a halt is checked against change control; set before serving. */
  void gate(ChangeGate gate) {
    this.gate = gate;
  }

  void halt(AdminExchange ex) throws IOException {
    auth.require(ex);
    Map<String, String> f = RequestForm.read(ex, FIELDS);
    String zone = zone(f);
    String reason = reason(f, DEFAULT_HALT_REASON);
    try {
      HaltControl.Outcome o = control.halt(zone, reason).await();
      ObjectNode body = Json.object().put("scope", scope(zone)).put("halted", true);
      body.put("reason", o.halt().reason());
      Json.putInstant(body, "since", o.halt().sinceMillis());
      finish(ex, body, o);
    } catch (HaltControl.NotLedgered e) {
      throw new ApiError(
          500,
          "not_ledgered",
          scope(zone) + " is halted, but the halt could not be ledgered: " + e.getMessage(),
          state(scope(zone), true, true));
    }
  }

  void resume(AdminExchange ex) throws IOException {
    auth.require(ex);
    Map<String, String> f = RequestForm.read(ex, RESUME_FIELDS);
    String zone = zone(f);
    String reason = reason(f, DEFAULT_RESUME_REASON);
    ChangeGate.Outcome allowed = allowResume(scope(zone), f.get("approvals"));
    try {
      HaltControl.Outcome o = control.resume(zone, reason).await();
      ObjectNode body = Json.object().put("scope", scope(zone)).put("halted", false);
      if (allowed != null && o.changed()) {
        gate.resumed(allowed);
        allowed.approvedBy().forEach(body.putArray("approved_by")::add);
      }
      finish(ex, body, o);
    } catch (HaltControl.NotLedgered e) {
      throw new ApiError(
          500,
          "not_ledgered",
          "the resume of "
              + scope(zone)
              + " could not be ledgered, so egress stays halted: "
              + e.getMessage(),
          state(scope(zone), true, false));
    } catch (HaltControl.NotLifted e) {
      throw new ApiError(503, "fleet_unreachable", e.getMessage(), state(scope(zone), true, false));
    } catch (HaltControl.Conflict e) {
      throw new ApiError(409, "conflict", e.getMessage(), state(scope(zone), true, false));
    }
  }

  /**
   * With change control, lifting the halt of {@code scope} (when it is halted) needs approvals: the
   * gate's outcome when allowed, null when no check applies; a refusal is thrown as an error.
   */
  private ChangeGate.Outcome allowResume(String scope, String approvals) {
    if (gate == null || !gate.resumeNeedsApprovals()) {
      return null;
    }
    HaltState.Halt halt =
        halts.active().stream().filter(h -> h.scope().equals(scope)).findFirst().orElse(null);
    if (halt == null) {
      return null;
    }
    ChangeGate.Outcome o =
        gate.resume(scope, halt.sinceMillis(), ChangeEndpoints.approvals(approvals));
    if (!o.accepted()) {
      ObjectNode body = ChangeEndpoints.outcome(o);
      body.put("scope", scope).put("halted", true).put("changed", false);
      throw ChangeEndpoints.error(o, body);
    }
    return o;
  }

  private void finish(AdminExchange ex, ObjectNode body, HaltControl.Outcome o) throws IOException {
    body.put("changed", o.changed());
    if (o.ledgerIndex() >= 0) {
      body.put("ledger_index", o.ledgerIndex());
    }
    if (!o.fleet().equals("none")) {
      body.put("fleet", o.fleet());
      body.put("fleet_detail", o.fleetDetail());
    }
    body.set("halts", Json.halts(halts.active()));
    Replies.json(ex, 200, body);
  }

  /** The fields that go next to the error of a request the ledger failed. */
  private ObjectNode state(String scope, boolean halted, boolean changed) {
    ObjectNode body = Json.object().put("scope", scope).put("halted", halted);
    body.put("changed", changed);
    body.set("halts", Json.halts(halts.active()));
    return body;
  }

  private static String scope(String zone) {
    return zone == null ? HaltState.SITE : zone;
  }

  private String zone(Map<String, String> f) {
    String zone = f.get("zone");
    if (zone == null) {
      return null;
    }
    if (zone.isEmpty()) {
      throw new ApiError(
          400, "bad_field", "zone must not be empty; leave it out to act on the whole site");
    }
    if (!zones.contains(zone)) {
      throw new ApiError(
          400,
          "unknown_zone",
          "unknown zone '" + zone + "'; the zones are " + String.join(", ", zones));
    }
    return zone;
  }

  private static String reason(Map<String, String> f, String dflt) {
    String reason = f.getOrDefault("reason", "").strip();
    if (reason.isEmpty()) {
      return dflt;
    }
    if (reason.length() > MAX_REASON) {
      throw new ApiError(
          400, "bad_field", "reason is " + reason.length() + " characters; at most " + MAX_REASON);
    }
    if (reason.chars().anyMatch(Character::isISOControl)) {
      throw new ApiError(400, "bad_field", "reason must not contain control characters");
    }
    return reason;
  }
}
