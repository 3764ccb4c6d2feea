package dev.sluice.codec;

/** Told how far model training has come; called on the training thread. */
@FunctionalInterface
public interface TrainingProgress {
  /**
   * @param phase what is being done, e.g. "reading", "counting", "tuning", "writing"
   * @param done units done in this phase
   * @param total units in this phase (≥ done; 0 when unknown)
   */
  void update(String phase, long done, long total);

  /** Reports nothing. */
  TrainingProgress NONE = (phase, done, total) -> {};
}
