package dev.sluice.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The repair schedule of an outage and the options that set it. */
class OutageTest {

  private static final long MS = 1_000_000L;

  @Test
  void theFirstAttemptIsDueAfterTheMinimumThenTheDelayDoublesUpToTheMaximum() {
    Outage o = new Outage(1_000, 0, new IOException("No space left on device"), 100 * MS, 700 * MS);
    assertThat(o.nanosUntilRetry(0)).isEqualTo(100 * MS);
    assertThat(o.nanosUntilRetry(100 * MS)).isZero();
    long now = 100 * MS;
    long[] expected = {200, 400, 700, 700};
    for (long delay : expected) {
      o.retryFailed(now, new IOException("still full"));
      assertThat(o.nanosUntilRetry(now)).isEqualTo(delay * MS);
      now += delay * MS;
    }
    assertThat(o.lastError()).contains("still full");
    assertThat(o.cause()).contains("No space left on device");
    assertThat(o.attempt()).isEqualTo(1);
    assertThat(o.attempt()).isEqualTo(2);
  }

  @Test
  void onlyTheFirstCutCountsAsTheFailedBatch() {
    Outage o = new Outage(0, 0, new IOException("x"), MS, MS);
    assertThat(o.entriesCut()).isZero();
    o.noteEntriesCut(345);
    o.noteEntriesCut(60); // a later attempt's own torn GAP entry
    assertThat(o.entriesCut()).isEqualTo(345);
  }

  @Test
  void backOffOptionsAreChecked() {
    LedgerOptions.Builder b = LedgerOptions.builder(Path.of("d"), "sluice.test/site");
    assertThat(b.build().retryMinBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(b.build().retryMaxBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> b.retryBackoff(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("retryMinBackoff must be 1 ms .. 1 min, got PT0S");
    assertThatThrownBy(() -> b.retryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("retryMaxBackoff must be retryMinBackoff (PT2S) .. 10 min, got PT1S");
    assertThat(b.retryBackoff(Duration.ofMillis(5), Duration.ofMillis(5)).build().retryMaxBackoff())
        .isEqualTo(Duration.ofMillis(5));
  }
}
