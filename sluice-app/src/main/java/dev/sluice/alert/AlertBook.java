package dev.sluice.alert;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which alerts are firing, which fired recently, and which once-only alerts have fired in their
 * period. {@link #apply} turns the conditions holding now into changes: a condition without a
 * firing alert fires (unless its once-only key already fired), a firing alert whose condition no
 * longer holds resolves (a threshold alert only once its period has ended). The state is rebuilt at
 * start from the ledger's {@code ALERT} entries ({@link #restore}), so a restart neither fires a
 * threshold again nor forgets one that is firing. Thread-safe.
 */
final class AlertBook {

  /** How many changes {@link #recent()} keeps. */
  static final int RECENT = 100;

  private final Map<String, Alert> active = new LinkedHashMap<>();
  private final Map<String, Long> onceUntil = new HashMap<>();
  private final ArrayDeque<Alert> recent = new ArrayDeque<>();

  /**
   * Replays one ledgered change: a firing alert becomes active again, a resolved one inactive;
   * {@code untilMillis} (≥ 0) marks a once-only key as fired until then.
   */
  synchronized void restore(Alert a, long untilMillis) {
    if (a.status() == Alert.Status.FIRING) {
      active.put(a.key(), a);
    } else {
      active.remove(a.key());
    }
    if (untilMillis >= 0) {
      onceUntil.put(a.key(), untilMillis);
    }
    remember(a);
  }

  /**
   * Whether a condition of key {@code key} holding now would fire (it is not firing, and not a
   * once-only key that already fired).
   */
  synchronized boolean wouldFire(String key) {
    return !active.containsKey(key) && !onceUntil.containsKey(key);
  }

  /** The changes the conditions holding at {@code nowMillis} make, in order. */
  synchronized List<Alert> apply(List<Condition> holding, long nowMillis) {
    List<Alert> changes = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (Condition c : holding) {
      if (!keys.add(c.key()) || active.containsKey(c.key()) || onceUntil.containsKey(c.key())) {
        continue;
      }
      Alert a = c.fire(nowMillis);
      active.put(c.key(), a);
      if (c.stickyUntilMillis() >= 0) {
        onceUntil.put(c.key(), c.stickyUntilMillis());
      }
      changes.add(a);
    }
    for (Iterator<Alert> it = active.values().iterator(); it.hasNext(); ) {
      Alert a = it.next();
      Long until = onceUntil.get(a.key());
      boolean held = until != null ? nowMillis < until : keys.contains(a.key());
      if (!held) {
        it.remove();
        // A threshold alert ended when its period did, even if evaluated a little later.
        changes.add(a.resolved(until != null ? Math.min(until, nowMillis) : nowMillis));
      }
    }
    onceUntil.values().removeIf(until -> until <= nowMillis);
    changes.forEach(this::remember);
    return changes;
  }

  private void remember(Alert a) {
    recent.addFirst(a);
    while (recent.size() > RECENT) {
      recent.removeLast();
    }
  }

  /** The alerts firing now, oldest first. */
  synchronized List<Alert> firing() {
    return List.copyOf(active.values());
  }

  /** The last {@value #RECENT} changes, newest first. */
  synchronized List<Alert> recent() {
    return List.copyOf(recent);
  }
}
