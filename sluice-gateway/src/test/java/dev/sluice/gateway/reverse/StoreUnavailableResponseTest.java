package dev.sluice.gateway.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A store that cannot grant (fail closed) is answered 503 with a JSON body naming the store. */
class StoreUnavailableResponseTest {

  @Test
  void unavailableStoreIsNamedInThe503Body() {
    EscrowAccount.Outcome o =
        new EscrowAccount.Outcome(
            EscrowAccount.Outcome.Kind.UNAVAILABLE,
            null,
            "etcd:http://127.0.0.1:2379/sluice/dc-1",
            "grant timed out after 2s");
    Refusal r = Refusal.of(o);
    assertThat(r.reason()).isEqualTo(Reason.STORE_UNAVAILABLE);
    assertThat(r.store()).isEqualTo("etcd:http://127.0.0.1:2379/sluice/dc-1");

    FullHttpResponse res = JsonResponses.refusal(r, 0);
    try {
      assertThat(res.status().code()).isEqualTo(503);
      assertThat(res.content().toString(StandardCharsets.UTF_8))
          .isEqualTo(
              "{\"error\":{\"type\":\"budget_store_unavailable\",\"message\":\"the egress budget"
                  + " store cannot grant bytes now: etcd:http://127.0.0.1:2379/sluice/dc-1: grant"
                  + " timed out after 2s\",\"store\":\"etcd:http://127.0.0.1:2379/sluice/dc-1\"}}\n");
    } finally {
      res.release();
    }
  }

  @Test
  void noAnswerAtAllStillFailsClosed() {
    Refusal r = Refusal.of(null);
    assertThat(r.reason()).isEqualTo(Reason.STORE_UNAVAILABLE);
    assertThat(r.store()).isNull();
    FullHttpResponse res = JsonResponses.refusal(r, 0);
    try {
      assertThat(res.status().code()).isEqualTo(503);
      assertThat(res.content().toString(StandardCharsets.UTF_8))
          .doesNotContain("\"store\"")
          .contains("no answer from the budget store");
    } finally {
      res.release();
    }
  }
}
