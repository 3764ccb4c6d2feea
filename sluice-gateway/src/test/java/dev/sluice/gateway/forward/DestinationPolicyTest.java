package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.DestinationConfig;
import dev.sluice.config.TenantConfig;
import dev.sluice.config.ZoneConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DestinationPolicyTest {

  private static ZoneConfig zone(boolean allowUnknown, String... patterns) {
    Map<String, DestinationConfig> d = new LinkedHashMap<>();
    for (String p : patterns) {
      d.put(p, new DestinationConfig(p, List.of()));
    }
    return new ZoneConfig(
        "z", List.of(), Map.of("t", new TenantConfig("t", List.of())), d, allowUnknown);
  }

  @Test
  void exactThenTheMostSpecificWildcard() {
    DestinationPolicy p =
        new DestinationPolicy(
            zone(false, "*.example.com", "*.corp.example.com", "api.corp.example.com"));
    assertThat(p.match("api.corp.example.com"))
        .isEqualTo(new DestinationPolicy.Match(true, "api.corp.example.com"));
    assertThat(p.match("git.corp.example.com").pattern()).isEqualTo("*.corp.example.com");
    assertThat(p.match("a.b.corp.example.com").pattern()).isEqualTo("*.corp.example.com");
    assertThat(p.match("www.example.com").pattern()).isEqualTo("*.example.com");
    assertThat(p.match("corp.example.com").pattern()).isEqualTo("*.example.com");
    assertThat(p.match("example.com").allowed()).isFalse();
    assertThat(p.match("evil-example.com").allowed()).isFalse();
    assertThat(p.match("example.com.evil.net").allowed()).isFalse();
  }

  @Test
  void unknownDestinationsWhenTheZoneAllowsThem() {
    DestinationPolicy p = new DestinationPolicy(zone(true, "*.example.com"));
    assertThat(p.match("other.net")).isEqualTo(new DestinationPolicy.Match(true, null));
    assertThat(p.match("a.example.com").pattern()).isEqualTo("*.example.com");
  }
}
