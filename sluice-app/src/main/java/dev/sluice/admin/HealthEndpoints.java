package dev.sluice.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /healthz} (the process answers: 200 {@code ok}, plain text as probes expect) and
 * {@code GET /readyz} (200 only when every listener is bound and the ledger is healthy, since a
 * node that cannot ledger cannot grant a byte; otherwise 503 naming what is not ready). While the
 * ledger is unavailable after an I/O error (a full disk) the 503 says since when and why; it turns
 * 200 again by itself once the ledger's writer has repaired the files.
 */
final class HealthEndpoints {

  private final BooleanSupplier listenersBound;
  private final Ledger ledger;

  HealthEndpoints(BooleanSupplier listenersBound, Ledger ledger) {
    this.listenersBound = listenersBound;
    this.ledger = ledger;
  }

  void healthz(AdminExchange ex) throws IOException {
    Replies.text(ex, 200, "ok\n");
  }

  void readyz(AdminExchange ex) throws IOException {
    boolean bound = listenersBound.getAsBoolean();
    boolean healthy = ledger.healthy();
    LedgerStatus status = ledger.status();
    ObjectNode checks = Json.object().put("listeners_bound", bound).put("ledger_healthy", healthy);
    if (!healthy && status.unavailableSinceMillis() >= 0) {
      checks.put(
          "ledger_unavailable_since",
          Instant.ofEpochMilli(status.unavailableSinceMillis()).toString());
    }
    if (bound && healthy) {
      ObjectNode body = Json.object().put("ready", true);
      body.set("checks", checks);
      Replies.json(ex, 200, body);
      return;
    }
    List<String> why = new ArrayList<>();
    if (!bound) {
      why.add("listeners are not bound");
    }
    if (!healthy && status.unavailableSinceMillis() >= 0) {
      why.add(
          "the ledger is unavailable since "
              + Instant.ofEpochMilli(status.unavailableSinceMillis())
              + " ("
              + status.cause()
              + "); it is being repaired, retried with back-off");
    } else if (!healthy) {
      why.add("the ledger is not healthy (closed or failed)");
    }
    ObjectNode extra = Json.object().put("ready", false);
    extra.set("checks", checks);
    throw new ApiError(503, "not_ready", "not ready: " + String.join("; ", why), extra);
  }
}
