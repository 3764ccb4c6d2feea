package dev.sluice.config;

import dev.sluice.net.Cidr;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code tenants_by_source}: source CIDR to tenant of the listener's zone. Two spellings of
 * the same network ({@code ::1/128} and {@code 0::1/128}) are reported as duplicates.
 */
final class SourceTenantsReader {

  private SourceTenantsReader() {}

  /**
   * The mapping as written. {@code tenants} are the zone's tenant names, or {@code null} when the
   * zone is unknown (already reported; then tenants are not checked).
   */
  static Map<String, String> read(Cursor at, String zone, Set<String> tenants) {
    Map<String, String> out = new LinkedHashMap<>();
    YamlMap m = at.map();
    if (m == null) {
      return out;
    }
    Map<Cidr, Cursor> seen = new HashMap<>();
    for (YamlMap.Entry e : m.entries()) {
      Cidr cidr = e.keyAt().parse(Cidr::parse);
      if (cidr != null) {
        Cursor first = seen.putIfAbsent(cidr, e.keyAt());
        if (first != null) {
          e.keyAt().error("the same network as line " + first.line());
        }
      }
      String tenant = e.value().string();
      if (tenant != null && tenants != null && !tenants.contains(tenant)) {
        e.value()
            .error(
                "zone "
                    + zone
                    + " has no such tenant (tenants: "
                    + String.join(", ", tenants)
                    + ")");
      }
      if (cidr != null && tenant != null) {
        out.put(e.key(), tenant);
      }
    }
    return out;
  }
}
