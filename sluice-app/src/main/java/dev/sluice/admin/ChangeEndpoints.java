package dev.sluice.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.SluiceConfig;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.ChangeApproval;
import dev.sluice.time.Clock;
import dev.sluice.transfer.TransferAllowance;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/config} (the running configuration's hash, change control and halts: what an
 * approver binds an approval to; read-only, no token, like {@code /api/budgets}) and {@code POST
 * /api/reload} (authenticated; fields {@code config}, the new file's text, {@code source}, its
 * name, and {@code approvals}, approval files concatenated) and {@code POST /api/transfers}
 * (approved large transfers). The checks and the ledgering are {@link ChangeGate}'s; this class is
 * the HTTP side.
 */
final class ChangeEndpoints {

  private static final Set<String> FIELDS = Set.of("config", "source", "approvals");
  private static final Set<String> TRANSFER_FIELDS = Set.of("approvals");

  private final BearerAuth auth;
  private final ChangeGate gate;
  private final SluiceConfig running;
  private final HaltState halts;
  private final TransferBook transfers;
  private final Clock clock;

  ChangeEndpoints(
      BearerAuth auth,
      ChangeGate gate,
      SluiceConfig running,
      HaltState halts,
      TransferBook transfers,
      Clock clock) {
    this.auth = auth;
    this.gate = gate;
    this.running = running;
    this.halts = halts;
    this.transfers = transfers;
    this.clock = clock;
  }

  void config(AdminExchange ex) throws IOException {
    ObjectNode body =
        Json.object()
            .put("sha256", running.sha256Hex())
            .put("source", running.sourceName())
            .put("mode", running.mode().name().toLowerCase(Locale.ROOT));
    ObjectNode cc = body.putObject("change_control");
    cc.put("approvals", running.changeControl().approvals());
    ObjectNode ops = cc.putObject("operators");
    running.changeControl().operators().forEach(ops::put);
    ArrayNode hs = body.putArray("halts");
    for (HaltState.Halt h : halts.active()) {
      hs.addObject().put("scope", h.scope()).put("since_millis", h.sinceMillis());
    }
    Replies.json(ex, 200, body);
  }

  void reload(AdminExchange ex) throws IOException {
    auth.require(ex);
    Map<String, String> f = RequestForm.read(ex, FIELDS);
    String text = f.get("config");
    if (text == null || text.isEmpty()) {
      throw new ApiError(400, "bad_field", "config (the new configuration's text) is required");
    }
    ChangeGate.Outcome o =
        gate.reload(
            f.getOrDefault("source", "reload"),
            text,
            approvals(f.get("approvals")),
            ex::afterResponse);
    ObjectNode body = outcome(o);
    if (o.accepted()) {
      body.put("status", o.status().name().toLowerCase(Locale.ROOT));
      Replies.json(ex, o.status() == ChangeGate.Status.ACCEPTED ? 202 : 200, body);
      return;
    }
    throw error(o, body);
  }

  /**
   * {@code POST /api/transfers} (authenticated; field {@code approvals}, the approval files of one
   * large transfer concatenated): {@code 201} with the subject, the operators and the expiry when
   * allowed; {@code 403 approvals_required}, {@code 400 invalid_transfer}, {@code 503
   * fleet_unreachable} (etcd did not take it, or the data directory could not) otherwise.
   */
  void transfers(AdminExchange ex) throws IOException {
    auth.require(ex);
    Map<String, String> f = RequestForm.read(ex, TRANSFER_FIELDS);
    List<ChangeApproval> given = approvals(f.get("approvals"));
    if (given.isEmpty()) {
      throw new ApiError(
          400, "bad_field", "approvals (from `sluice change approve-transfer`) are required");
    }
    ChangeGate.Outcome o = gate.transfer(given, transfers);
    ObjectNode body = outcome(o);
    if (o.accepted()) {
      TransferAllowance allowed =
          transfers.allowances().active(clock.millis()).stream()
              .filter(a -> a.subject().equals(o.subject()))
              .reduce((a, b) -> b)
              .orElse(null);
      body.put("status", "allowed");
      body.put(
          "expires",
          allowed == null ? null : Instant.ofEpochMilli(allowed.expiresMillis()).toString());
      Replies.json(ex, 201, body);
      return;
    }
    if (o.status() == ChangeGate.Status.INVALID) {
      throw new ApiError(400, "invalid_transfer", o.message(), body);
    }
    if (o.status() == ChangeGate.Status.UNAVAILABLE) {
      throw new ApiError(503, "fleet_unreachable", o.message(), body);
    }
    throw error(o, body);
  }

  /** The approvals of a request field: approval files concatenated; none when absent. */
  static List<ChangeApproval> approvals(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    try {
      return ChangeApproval.parseAll(text);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "bad_approval", e.getMessage());
    }
  }

  /** The fields every answer about a change has. */
  static ObjectNode outcome(ChangeGate.Outcome o) {
    ObjectNode body = Json.object().put("subject", o.subject());
    o.loosens().forEach(body.putArray("loosens")::add);
    o.approvedBy().forEach(body.putArray("approved_by")::add);
    o.details().forEach(body.putArray("details")::add);
    return body;
  }

  /** The error of a refused change; its message lists what loosens and what was wrong. */
  static ApiError error(ChangeGate.Outcome o, ObjectNode body) {
    StringBuilder m = new StringBuilder(o.message());
    if (!o.loosens().isEmpty()) {
      m.append("\nit loosens:");
      o.loosens().forEach(l -> m.append("\n  - ").append(l));
    }
    if (!o.details().isEmpty()) {
      if (o.status() == ChangeGate.Status.APPROVALS_REQUIRED) {
        m.append("\nnot counted:");
      }
      o.details().forEach(l -> m.append("\n  - ").append(l));
    }
    return switch (o.status()) {
      case INVALID -> new ApiError(400, "invalid_config", m.toString(), body);
      case RESTART_REQUIRED -> new ApiError(409, "restart_required", m.toString(), body);
      case APPROVALS_REQUIRED -> new ApiError(403, "approvals_required", m.toString(), body);
      case BUSY -> new ApiError(409, "busy", m.toString(), body);
      default -> new ApiError(500, "not_ledgered", m.toString(), body);
    };
  }
}
