package dev.sluice.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Allowances in force: the largest that covers a transfer counts, expired ones do not, and once the
 * fleet stops confirming them none does (fail closed), those made through this node included, until
 * a listing confirms them again.
 */
class TransferAllowancesTest {

  @Test
  void nothingIsHonouredOnceTheFleetStopsConfirming() {
    TransferAllowances t = new TransferAllowances();
    t.replace(List.of(new TransferAllowance("z", "acme", "/v1/*", 5_000, 10_000)), 3_000);
    t.allow(new TransferAllowance("z", "acme", "/v1/big", 9_000, 10_000));
    assertThat(t.largest("z", "acme", "/v1/x", 2_999)).isEqualTo(5_000);
    assertThat(t.largest("z", "acme", "/v1/big", 2_999)).isEqualTo(9_000);
    assertThat(t.largest("z", "other", "/v1/x", 2_999)).isZero();
    assertThat(t.largest("z", "acme", "/v1/x", 3_000)).as("unconfirmed").isZero();
    assertThat(t.largest("z", "acme", "/v1/big", 3_000)).as("unconfirmed, own").isZero();
    assertThat(t.active(3_000)).isEmpty();

    // A later listing confirms again; one without the fleet's allowance keeps this node's own.
    t.replace(List.of(), 6_000);
    assertThat(t.largest("z", "acme", "/v1/x", 4_000)).isZero();
    assertThat(t.largest("z", "acme", "/v1/big", 4_000)).isEqualTo(9_000);
    t.replace(List.of(), 20_000);
    assertThat(t.largest("z", "acme", "/v1/big", 10_000)).as("expired").isZero();
  }
}
