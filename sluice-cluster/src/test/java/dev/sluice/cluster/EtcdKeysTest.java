package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.budget.NodeIds;
import dev.sluice.time.Window;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtcdKeysTest {

  private final EtcdKeys keys = new EtcdKeys("/sluice/berlin");

  @Test
  void layout() {
    assertThat(keys.root()).isEqualTo("/sluice/berlin/v1/");
    assertThat(keys.counter("site", Window.DAY, 1_700_000_000_000L))
        .isEqualTo("/sluice/berlin/v1/counters/site/day/1700000000000");
    assertThat(keys.counter(NodeIds.tenant("employee", "alice"), Window.LIFETIME, Long.MIN_VALUE))
        .isEqualTo("/sluice/berlin/v1/counters/tenant:employee%2Falice/lifetime/0");
    assertThat(keys.sent(NodeIds.destination("employee", "*.corp.example"), Window.MONTH, 5))
        .isEqualTo("/sluice/berlin/v1/sent/dest:employee%2F*.corp.example/month/5");
    assertThat(keys.set("gw-1", 42)).isEqualTo("/sluice/berlin/v1/sets/gw-1/42");
    assertThat(keys.seq("gw-1")).isEqualTo("/sluice/berlin/v1/seq/gw-1");
    assertThat(keys.liveness("gw-1")).isEqualTo("/sluice/berlin/v1/nodes/gw-1");
  }

  @Test
  void escapingKeepsEveryIdOneSegmentAndRoundTrips() {
    for (String id :
        List.of("site", "zone:z", "tenant:z/t", "dest:z/*.a-b.example", "dest:z/100%", "tënant")) {
      String e = EtcdKeys.escape(id);
      assertThat(e).doesNotContain("/");
      assertThat(EtcdKeys.unescape(e)).isEqualTo(id);
    }
    assertThat(EtcdKeys.escape("a%b c")).isEqualTo("a%25b%20c");
    assertThatThrownBy(() -> EtcdKeys.unescape("a%2")).hasMessageContaining("truncated");
    assertThatThrownBy(() -> EtcdKeys.unescape("a%zz")).hasMessageContaining("bad escape");
  }

  @Test
  void setRecordRoundTripsAndNamesBadFields() {
    Map<Window, Long> periods = new EnumMap<>(Window.class);
    periods.put(Window.DAY, 1L);
    periods.put(Window.WEEK, 2L);
    periods.put(Window.MONTH, 3L);
    periods.put(Window.LIFETIME, 0L);
    SetRecord r =
        new SetRecord(
            7, "gw-1", 100, List.of("site", "tenant:z/t"), periods, 500, 20, 9, 50, 200, 150);
    assertThat(SetRecord.parse("k", r.toJson())).isEqualTo(r);
    assertThat(r.plus(10, 25, 5, 300, 160))
        .isEqualTo(
            new SetRecord(
                7, "gw-1", 100, List.of("site", "tenant:z/t"), periods, 525, 20, 10, 25, 300, 160));
    assertThatThrownBy(() -> SetRecord.parse("k", "nope".getBytes()))
        .hasMessageStartingWith("set record k is not JSON");
    String noGranted = new String(r.toJson()).replace("\"granted\":500,", "");
    assertThatThrownBy(() -> SetRecord.parse("k", noGranted.getBytes()))
        .hasMessage("set record k has no field granted");
    String text = new String(r.toJson()).replace("\"sent\":20", "\"sent\":\"x\"");
    assertThatThrownBy(() -> SetRecord.parse("k", text.getBytes()))
        .hasMessageStartingWith("set record k: sent is not a 64-bit integer");
  }

  @Test
  void countersAreNonNegativeDecimals() {
    assertThat(Versioned.ABSENT.asCounter("k")).isZero();
    assertThat(new Versioned("123".getBytes(), 5, 1).asCounter("k")).isEqualTo(123);
    for (String bad : List.of("-1", "+1", "1.5", "", "x")) {
      assertThatThrownBy(() -> new Versioned(bad.getBytes(), 5, 1).asCounter("k"))
          .hasMessage("etcd key k holds '" + bad + "', not a non-negative decimal counter");
    }
  }
}
