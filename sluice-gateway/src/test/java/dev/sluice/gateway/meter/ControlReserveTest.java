package dev.sluice.gateway.meter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.time.WindowCalendar;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ControlReserveTest {

  private static long at(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void paysUpToTheDailyCapAndNeverBeyond() {
    ControlReserve r = new ControlReserve(1000, new WindowCalendar(ZoneId.of("UTC")));
    long t = at("2026-11-23T10:00:00Z");
    assertThat(r.tryCharge(600, t)).isTrue();
    assertThat(r.tryCharge(401, t)).isFalse();
    assertThat(r.tryCharge(400, t)).isTrue();
    assertThat(r.tryCharge(1, t)).isFalse();
    assertThat(r.used()).isEqualTo(1000);
  }

  @Test
  void startsAfreshWithTheLocalDay() {
    ControlReserve r = new ControlReserve(1000, new WindowCalendar(ZoneId.of("Europe/Berlin")));
    assertThat(r.tryCharge(1000, at("2026-11-23T22:59:59Z"))).isTrue();
    assertThat(r.tryCharge(1, at("2026-11-23T22:59:59.999Z"))).isFalse();
    // Midnight in Berlin (UTC+1) is 23:00 UTC.
    assertThat(r.tryCharge(1000, at("2026-11-23T23:00:00Z"))).isTrue();
  }

  @Test
  void aZeroReserveNeverPaysAndNegativeChargesAreBugs() {
    ControlReserve r = new ControlReserve(0, new WindowCalendar(ZoneId.of("UTC")));
    assertThat(r.tryCharge(1, 0)).isFalse();
    assertThat(r.tryCharge(0, 0)).isTrue();
    assertThatThrownBy(() -> r.tryCharge(-1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
