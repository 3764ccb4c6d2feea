package dev.sluice.app;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.SluiceConfig;
import dev.sluice.time.Clock;
import java.nio.file.Path;

/** Builds test configurations on loopback port 0 with a temp data dir, and starts nodes. */
final class NodeFixture {

  private NodeFixture() {}

  /** A site with zone {@code inference}: tenants {@code acme} (day cap) and {@code default}. */
  static String reverseYaml(Path dataDir, int upstreamPort, String acmeDayCap, String mode) {
    return """
        site: test
        model: { name: m, weight_bytes: 10GB }
        mode: %s
        data_dir: %s
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 64KiB
          zones:
            inference:
              limits: [ { window: day, cap: 500MB } ]
              tenants:
                default: { limits: [ { window: day, cap: 10MB } ] }
                acme:    { limits: [ { window: day, cap: %s } ] }
        listeners:
          - name: api
            mode: reverse
            bind: 127.0.0.1:0
            upstream: http://127.0.0.1:%d
            zone: inference
            tenant_header: X-Tenant
        admin: { bind: 127.0.0.1:0 }
        escrow: { min_chunk: 1KiB, max_chunk: 16KiB }
        """
        .formatted(mode, dataDir, acmeDayCap, upstreamPort);
  }

  static SluiceConfig config(String yaml) {
    ConfigResult r = ConfigLoader.parse("test.yaml", yaml);
    if (!r.ok()) {
      throw new IllegalArgumentException(String.join("\n", ConfigLoader.formatAll(r)));
    }
    return r.config();
  }

  static SluiceNode start(String yaml) throws NodeStartException {
    return SluiceNode.start(config(yaml), Clock.system());
  }
}
