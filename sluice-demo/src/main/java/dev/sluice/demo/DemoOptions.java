package dev.sluice.demo;

import dev.sluice.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link DemoUpstream} behaves beyond its answers. Validated once; immutable.
 *
 * @param pacer when each SSE event of a stream is produced; {@link Pacer#immediate()} in tests
 * @param clock the {@code created} time of completions
 * @param seed makes completion ids repeatable
 * @param models the ids {@code GET /v1/models} lists; at least one
 * @param maxRequestBytes the largest request body accepted; larger ones get {@code 413}
 */
public record DemoOptions(
    Pacer pacer, Clock clock, long seed, List<String> models, int maxRequestBytes) {

  /** Default {@link #maxRequestBytes}: 8 MiB, far above any real prompt. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 8 << 20;

  /** The inter-chunk delay of {@link #demo()}: about 100 chunks a second, a fast model. */
  public static final Duration DEMO_CHUNK_DELAY = Duration.ofMillis(10);

  public DemoOptions {
    Objects.requireNonNull(pacer, "pacer");
    Objects.requireNonNull(clock, "clock");
    models = List.copyOf(models);
    if (models.isEmpty()) {
      throw new IllegalArgumentException("models must name at least one model");
    }
    if (maxRequestBytes < 1024) {
      throw new IllegalArgumentException(
          "maxRequestBytes must be at least 1024, got " + maxRequestBytes);
    }
  }

  /** For tests: no pacing, system clock, seed 0, one model {@code sluice-demo}. */
  public static DemoOptions defaults() {
    return new DemoOptions(
        Pacer.immediate(), Clock.system(), 0, List.of("sluice-demo"), DEFAULT_MAX_REQUEST_BYTES);
  }

  /** For {@code sluice demo}: the defaults paced at {@link #DEMO_CHUNK_DELAY}. */
  public static DemoOptions demo() {
    return defaults().withPacer(Pacer.fixedDelay(DEMO_CHUNK_DELAY));
  }

  public DemoOptions withPacer(Pacer pacer) {
    return new DemoOptions(pacer, clock, seed, models, maxRequestBytes);
  }

  public DemoOptions withClock(Clock clock) {
    return new DemoOptions(pacer, clock, seed, models, maxRequestBytes);
  }

  public DemoOptions withSeed(long seed) {
    return new DemoOptions(pacer, clock, seed, models, maxRequestBytes);
  }

  public DemoOptions withModels(List<String> models) {
    return new DemoOptions(pacer, clock, seed, models, maxRequestBytes);
  }

  public DemoOptions withMaxRequestBytes(int maxRequestBytes) {
    return new DemoOptions(pacer, clock, seed, models, maxRequestBytes);
  }
}
