package dev.sluice.config;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads {@code budgets}: the site's limits, the control allowance and the zones. */
final class BudgetsReader {

  /**
   * What the rest of the file needs from the budgets: the record ({@code null} when anything in
   * {@code budgets} was wrong) and the zone and tenant names as written, so listeners can be
   * checked against them even then.
   */
  record Result(BudgetsConfig config, Map<String, Set<String>> tenantsByZone) {}

  private BudgetsReader() {}

  static Result read(Cursor c, long weightBytes) {
    return read(c, weightBytes, DetectionConfig.OFF);
  }

  /** The budgets, each zone's {@code detection} read over {@code siteDetection}. */
  static Result read(Cursor c, long weightBytes, DetectionConfig siteDetection) {
    Map<String, Set<String>> names = new LinkedHashMap<>();
    int errorsBefore = c.problems().errorCount();
    YamlMap m = c.map();
    if (m == null) {
      return new Result(null, names);
    }
    m.allow("limits", "control_allowance", "zones");
    Cursor limitsAt = m.require("limits");
    List<LimitsReader.Located> site = LimitsReader.read(limitsAt, weightBytes);
    if (limitsAt != null && limitsAt.got().equals("[]")) {
      limitsAt.error("the site needs at least one limit");
    }
    Cursor allowanceAt = m.get("control_allowance");
    Long allowance =
        allowanceAt == null
            ? Long.valueOf(BudgetsConfig.DEFAULT_CONTROL_ALLOWANCE)
            : Scalars.cap(allowanceAt, weightBytes);
    Map<String, ZoneConfig> zones = new LinkedHashMap<>();
    Cursor zonesAt = m.require("zones");
    YamlMap zonesMap = zonesAt == null ? null : zonesAt.map();
    if (zonesMap != null) {
      if (zonesMap.entries().isEmpty()) {
        zonesAt.error("at least one zone is required");
      }
      for (YamlMap.Entry e : zonesMap.entries()) {
        Set<String> tenants = new LinkedHashSet<>();
        names.put(e.key(), tenants);
        ZoneConfig zone = ZoneReader.read(e, weightBytes, site, tenants, siteDetection);
        if (zone != null) {
          zones.put(zone.name(), zone);
        }
      }
    }
    // Unknown weights (model.weight_bytes is in error) leave relative caps unresolved.
    if (c.problems().errorCount() > errorsBefore || allowance == null || weightBytes <= 0) {
      return new Result(null, names);
    }
    return new Result(new BudgetsConfig(LimitsReader.limits(site), allowance, zones), names);
  }
}
