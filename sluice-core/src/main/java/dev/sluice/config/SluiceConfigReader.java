package dev.sluice.config;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads the whole document, section by section, in the order the sections depend on each other: the
 * model first (caps are resolved against its weights), then budgets (listeners refer to its zones
 * and tenants), then admin (listener binds must not collide with it), then the rest.
 */
final class SluiceConfigReader {

  private static final String[] KEYS = {
    "site",
    "node_id",
    "model",
    "time_zone",
    "mode",
    "data_dir",
    "budgets",
    "listeners",
    "admin",
    "store",
    "ledger",
    "escrow",
    "codec",
    "change_control",
    ConnectionLimitsReader.TIMEOUTS,
    ConnectionLimitsReader.LIMITS,
    "alerts",
    "detection",
    "logging"
  };

  private SluiceConfigReader() {}

  /** The configuration, or {@code null} when anything was wrong (every error reported). */
  static SluiceConfig read(Cursor root, String sourceName, String sha256Hex) {
    YamlMap m = root.map();
    if (m == null) {
      return null;
    }
    m.allow(KEYS);
    Cursor siteAt = m.require("site");
    String site = siteAt == null ? null : siteAt.parse(s -> Names.checkNodeName("site", s));
    ModelConfig model = readModel(m.require("model"));
    ZoneId zone =
        optional(m, "time_zone", SluiceConfig.DEFAULT_TIME_ZONE, SluiceConfigReader::readZone);
    Mode mode = optional(m, "mode", Mode.ENFORCE, c -> c.choice(Mode.class));
    if (mode == Mode.REPORT) {
      m.get("mode")
          .warning(
              "mode is report: budgets are NOT enforced; bytes over budget leave the site and are"
                  + " only recorded as would_deny");
    }
    Path dataDir = optional(m, "data_dir", SluiceConfig.DEFAULT_DATA_DIR, Scalars::path);

    DetectionConfig detection = DetectionReader.read(m.get("detection"), DetectionConfig.OFF);
    Cursor budgetsAt = m.require("budgets");
    BudgetsReader.Result budgets =
        budgetsAt == null
            ? new BudgetsReader.Result(null, Map.of())
            : BudgetsReader.read(
                budgetsAt,
                model == null ? 0 : model.weightBytes(),
                detection == null ? DetectionConfig.OFF : detection);
    SectionsReader.Admin admin = SectionsReader.admin(m.get("admin"));
    ConnectionLimits limits =
        ConnectionLimitsReader.read(
            m.get(ConnectionLimitsReader.TIMEOUTS),
            m.get(ConnectionLimitsReader.LIMITS),
            ConnectionLimits.DEFAULTS);
    Cursor listenersAt = m.require("listeners");
    List<ListenerConfig> listeners =
        listenersAt == null
            ? null
            : ListenersReader.read(
                listenersAt, budgets.tenantsByZone(), admin.bind(), admin.bindAt(), limits);
    SectionsReader.Store storeSection =
        SectionsReader.store(m.get("store"), m.get("node_id"), site);
    StoreConfig store = storeSection.config();
    LedgerConfig ledger = SectionsReader.ledger(m.get("ledger"), site);
    EscrowConfig escrow =
        SectionsReader.escrow(m.get("escrow"), storeSection.grantTtl(), storeSection.grantTtlAt());

    CodecConfig codec = readCodec(m.get("codec"));
    AlertsConfig alerts =
        AlertsReader.read(m.get("alerts"), ledger == null ? null : ledger.checkpointInterval());
    ChangeControlConfig changeControl = ChangeControlReader.read(m.get("change_control"));
    LoggingConfig logging = LoggingConfig.read(m.get("logging"));

    if (root.problems().errorCount() > 0) {
      return null;
    }
    return new SluiceConfig(
        site,
        model,
        zone,
        mode,
        dataDir,
        budgets.config(),
        listeners,
        admin.config(),
        store,
        ledger,
        escrow,
        sourceName,
        sha256Hex,
        codec,
        alerts,
        changeControl,
        detection,
        logging);
  }

  /** {@code codec: {model: PATH, flush_window: DURATION}}; defaults when absent. */
  private static CodecConfig readCodec(Cursor c) {
    if (c == null) {
      return CodecConfig.defaults();
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow("model", "flush_window");
    Cursor modelAt = m.get("model");
    java.nio.file.Path model = modelAt == null ? null : Scalars.path(modelAt);
    if (modelAt != null && model == null) {
      return null;
    }
    Cursor windowAt = m.get("flush_window");
    java.time.Duration window =
        windowAt == null
            ? CodecConfig.DEFAULT_FLUSH_WINDOW
            : Scalars.duration(windowAt, java.time.Duration.ZERO, CodecConfig.MAX_FLUSH_WINDOW);
    return window == null ? null : new CodecConfig(model, window);
  }

  private static ModelConfig readModel(Cursor c) {
    YamlMap m = c == null ? null : c.map();
    if (m == null) {
      return null;
    }
    m.allow("name", "weight_bytes", "smallest_useful_copy");
    Cursor nameAt = m.require("name");
    String name = nameAt == null ? null : Scalars.nonBlank(nameAt);
    Cursor weightAt = m.require("weight_bytes");
    Long weight = weightAt == null ? null : Scalars.size(weightAt);
    if (weight != null && weight == 0) {
      weightAt.error("must be larger than 0");
      weight = null;
    }
    Cursor copyAt = m.get("smallest_useful_copy");
    if (copyAt == null) {
      return name == null || weight == null ? null : new ModelConfig(name, weight);
    }
    String copyText = copyAt.string("a size such as 50GB, or a share of the weights: 1/16 weights");
    Long copy =
        copyText == null
            ? null
            : Scalars.shareOfWeights(copyAt, copyText, weight == null ? 0 : weight);
    return name == null || weight == null || copy == null
        ? null
        : new ModelConfig(name, weight, copy, copyText.strip());
  }

  private static ZoneId readZone(Cursor c) {
    String s = c.string();
    if (s == null) {
      return null;
    }
    try {
      return ZoneId.of(s);
    } catch (DateTimeException e) {
      c.error("unknown time zone; use a region such as Europe/Berlin, or UTC");
      return null;
    }
  }

  /** The value of {@code key} read by {@code reader}, or {@code dflt} when the key is absent. */
  private static <T> T optional(YamlMap m, String key, T dflt, Function<Cursor, T> reader) {
    Cursor c = m.get(key);
    return c == null ? dflt : reader.apply(c);
  }
}
