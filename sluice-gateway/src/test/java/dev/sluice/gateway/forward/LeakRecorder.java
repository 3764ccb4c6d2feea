package dev.sluice.gateway.forward;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's leak detector, remembering what it reports so a test can fail on it rather than only log
 * it. Installed for this module's tests by {@code io.netty.customResourceLeakDetector} (see the
 * surefire configuration, which also sets the paranoid level); {@link NoLeaks} checks it.
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {

  private static final List<String> LEAKS = new ArrayList<>();

  public LeakRecorder(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  /** True when this class is the detector Netty uses (the tests run under surefire's setup). */
  static boolean installed() {
    return LeakRecorder.class
        .getName()
        .equals(System.getProperty("io.netty.customResourceLeakDetector"));
  }

  static synchronized List<String> leaks() {
    return List.copyOf(LEAKS);
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    record(resourceType + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    record(resourceType);
    super.reportUntracedLeak(resourceType);
  }

  private static synchronized void record(String leak) {
    LEAKS.add(leak);
  }
}
