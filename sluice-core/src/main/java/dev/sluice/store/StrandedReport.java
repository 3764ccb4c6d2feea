package dev.sluice.store;

/**
 * Escrow found unsettled when the store opened: granted before a crash, never settled. It stays
 * counted as spent; {@code bytes} is the part not known to have been sent (an upper bound on what
 * the crash wasted).
 */
public record StrandedReport(int sets, long bytes) {
  public static final StrandedReport NONE = new StrandedReport(0, 0);
}
