package dev.sluice.config.change;

import dev.sluice.config.BudgetsConfig;
import dev.sluice.config.ByteSizes;
import dev.sluice.config.ChangeControlConfig;
import dev.sluice.config.DestinationConfig;
import dev.sluice.config.DetectionConfig;
import dev.sluice.config.LimitConfig;
import dev.sluice.config.ListenerConfig;
import dev.sluice.config.Mode;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TenantConfig;
import dev.sluice.config.ZoneConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a new configuration changes that matters to change control, compared with the running one.
 *
 * <p>{@link #loosenings} lists every difference that lets more bytes leave or weakens the control
 * itself, one line each, in file order: a cap raised or removed (site, zone, tenant, destination,
 * the control allowance), a zone, tenant, destination or listener added, any change to an existing
 * listener (its identity rules decide whose budget pays; conservative on purpose), {@code mode}
 * leaving {@code enforce}, {@code unknown_destinations} becoming {@code allow}, a zone's {@code
 * max_transfer} raised or removed, detection loosened (the site's or a zone's: {@code action} block
 * to alert, {@code tensors} turned off, the {@code index} removed or replaced), and change control
 * weakened (fewer approvals, an operator added or re-keyed, the section removed). Everything else
 * (removals, lower caps, new limits, timeouts, escrow tuning) needs no approval.
 *
 * <p>{@link #restartOnly} lists the differences a reload cannot apply because the budgets would not
 * carry over or the admin API would move: {@code site}, {@code data_dir}, {@code store} and {@code
 * node_id}, {@code ledger}, {@code admin}, and {@code logging} (the log format is the process's,
 * chosen once at start, so a log shipper never sees two formats from one process). Stateless.
 */
public final class ConfigDiff {

  private ConfigDiff() {}

  /** Every loosening of {@code next} against {@code running}; empty when none. */
  public static List<String> loosenings(SluiceConfig running, SluiceConfig next) {
    List<String> out = new ArrayList<>();
    if (running.mode() == Mode.ENFORCE && next.mode() != Mode.ENFORCE) {
      out.add("mode: enforce -> report (leaves enforce mode)");
    }
    budgets(running.budgets(), next.budgets(), out);
    listeners(running.listeners(), next.listeners(), out);
    changeControl(running.changeControl(), next.changeControl(), out);
    detection(running, next, out);
    return out;
  }

  /** The site's detection, then each zone's (its own section over the site's) that detects less. */
  private static void detection(SluiceConfig running, SluiceConfig next, List<String> out) {
    detection("detection", running.detection(), next.detection(), out);
    for (ZoneConfig z : next.budgets().zones().values()) {
      if (running.budgets().zones().containsKey(z.name())) {
        detection(
            "budgets.zones." + z.name() + ".detection",
            running.detection(z.name()),
            next.detection(z.name()),
            out);
      }
    }
  }

  private static void detection(
      String at, DetectionConfig was, DetectionConfig now, List<String> out) {
    if (!was.loosenedBy(now)) {
      return;
    }
    if (!now.enabled()) {
      out.add(at + ": off (nothing is scanned)");
      return;
    }
    if (was.action() == DetectionConfig.Action.BLOCK
        && now.action() == DetectionConfig.Action.ALERT) {
      out.add(at + ".action: block -> alert (weights found would leave)");
    }
    if (was.tensors() && !now.tensors()) {
      out.add(at + ".tensors: true -> false (turns the tensor detector off)");
    }
    if (was.index() != null && !was.index().equals(now.index())) {
      out.add(
          at
              + ".index: "
              + was.index()
              + " -> "
              + (now.index() == null ? "none (removes the fingerprint index)" : now.index())
              + (now.index() == null ? "" : " (another index may cover fewer weights)"));
    }
    if (now.action() == DetectionConfig.Action.BLOCK && now.hold().compareTo(was.hold()) < 0) {
      out.add(at + ".hold: " + was.hold().toMillis() + "ms -> " + now.hold().toMillis() + "ms");
    }
    if (was.index() != null && now.index() != null && now.anchorStride() > was.anchorStride()) {
      out.add(
          at
              + ".anchor_stride: "
              + was.anchorStride()
              + " -> "
              + now.anchorStride()
              + " (fewer offsets tested for anchors)");
    }
  }

  /** The differences a reload cannot apply; empty when a reload can apply {@code next}. */
  public static List<String> restartOnly(SluiceConfig running, SluiceConfig next) {
    List<String> out = new ArrayList<>();
    same("site", running.site(), next.site(), out);
    same("data_dir", running.dataDir(), next.dataDir(), out);
    same("store (and node_id)", running.store(), next.store(), out);
    same("ledger", running.ledger(), next.ledger(), out);
    same("admin", running.admin(), next.admin(), out);
    same("logging", running.logging(), next.logging(), out);
    return out;
  }

  private static void same(String key, Object a, Object b, List<String> out) {
    if (!Objects.equals(a, b)) {
      out.add(key + " differs");
    }
  }

  private static void budgets(BudgetsConfig a, BudgetsConfig b, List<String> out) {
    limits("budgets.limits", a.limits(), b.limits(), out);
    if (b.controlAllowanceBytes() > a.controlAllowanceBytes()) {
      out.add(
          "budgets.control_allowance: "
              + ByteSizes.format(a.controlAllowanceBytes())
              + " -> "
              + ByteSizes.format(b.controlAllowanceBytes())
              + " (raises a cap)");
    }
    for (ZoneConfig z : b.zones().values()) {
      String at = "budgets.zones." + z.name();
      ZoneConfig old = a.zones().get(z.name());
      if (old == null) {
        out.add(at + ": zone added (with tenants " + String.join(", ", z.tenants().keySet()) + ")");
        continue;
      }
      limits(at + ".limits", old.limits(), z.limits(), out);
      for (TenantConfig t : z.tenants().values()) {
        TenantConfig was = old.tenants().get(t.name());
        if (was == null) {
          out.add(at + ".tenants." + t.name() + ": tenant added");
        } else {
          limits(at + ".tenants." + t.name() + ".limits", was.limits(), t.limits(), out);
        }
      }
      for (DestinationConfig d : z.destinations().values()) {
        String dat = at + ".destinations[\"" + d.pattern() + "\"]";
        DestinationConfig was = old.destinations().get(d.pattern());
        if (was == null) {
          out.add(dat + ": destination added");
        } else {
          limits(dat + ".limits", was.limits(), d.limits(), out);
        }
      }
      if (!old.allowUnknownDestinations() && z.allowUnknownDestinations()) {
        out.add(at + ".unknown_destinations: deny -> allow (allows unknown destinations)");
      }
      if (z.maxTransfer() > old.maxTransfer()) {
        out.add(
            at
                + ".max_transfer: "
                + transferText(old.maxTransfer())
                + " -> "
                + transferText(z.maxTransfer())
                + " (raises the largest single transfer)");
      }
    }
  }

  private static String transferText(long maxTransfer) {
    return maxTransfer == ZoneConfig.UNLIMITED ? "none" : ByteSizes.format(maxTransfer);
  }

  /** A limit of {@code before} whose window is gone from {@code after}, or whose cap rose. */
  private static void limits(
      String at, List<LimitConfig> before, List<LimitConfig> after, List<String> out) {
    for (LimitConfig was : before) {
      LimitConfig now =
          after.stream().filter(l -> l.window() == was.window()).findFirst().orElse(null);
      String w = at + " " + was.window().label();
      if (now == null) {
        out.add(w + ": " + ByteSizes.format(was.capBytes()) + " -> none (removes a cap)");
      } else if (now.capBytes() > was.capBytes()) {
        out.add(
            w
                + ": "
                + ByteSizes.format(was.capBytes())
                + " -> "
                + ByteSizes.format(now.capBytes())
                + " (raises a cap)");
      }
    }
  }

  private static void listeners(List<ListenerConfig> a, List<ListenerConfig> b, List<String> out) {
    for (ListenerConfig l : b) {
      ListenerConfig was =
          a.stream().filter(x -> x.name().equals(l.name())).findFirst().orElse(null);
      if (was == null) {
        out.add("listeners." + l.name() + ": listener added (" + l.bind() + ")");
      } else if (!was.equals(l)) {
        out.add("listeners." + l.name() + ": listener changed (any change to a listener counts)");
      }
    }
  }

  private static void changeControl(
      ChangeControlConfig a, ChangeControlConfig b, List<String> out) {
    if (!a.enabled()) {
      return; // from none, any change control is a tightening
    }
    if (!b.enabled()) {
      out.add("change_control: removed (no change would need approvals)");
      return;
    }
    if (b.approvals() < a.approvals()) {
      out.add("change_control.approvals: " + a.approvals() + " -> " + b.approvals());
    }
    for (Map.Entry<String, String> op : b.operators().entrySet()) {
      String was = a.operators().get(op.getKey());
      if (was == null) {
        out.add("change_control.operators." + op.getKey() + ": operator added");
      } else if (!was.equals(op.getValue())) {
        out.add("change_control.operators." + op.getKey() + ": key changed");
      }
    }
  }
}
