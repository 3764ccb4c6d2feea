package dev.sluice.config;

/**
 * Whether budgets stop bytes ({@code enforce}) or only record would-be denials ({@code report}).
 */
public enum Mode {
  /** Bytes over budget do not leave. The default. */
  ENFORCE,
  /** Shadow rollout: bytes over budget leave anyway and are recorded as {@code would_deny}. */
  REPORT
}
