package dev.sluice.detect.fingerprint;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Which offsets of a stream a matcher tests for anchors ({@link AnchorParams}): in each 4 KiB block
 * of a lane, the offsets {@code r, r + stride, r + 2 stride, ...} of the block, {@code r} drawn at
 * random in {@code [0, stride)} for every block from a generator seeded with {@code seed}. With a
 * stride of 1 every offset is tested (and nothing is drawn). A sender who does not know the seed
 * cannot place the anchors of its bytes where they are not tested: each one is tested with
 * probability {@code 1 / stride}, independently of the others in other blocks. The cost of the test
 * falls with the stride, the number of anchors found in a slice of weights falls with it too.
 *
 * @param stride 1, 2, 4, 8, 16 or 32
 * @param seed the generator's seed (only used when stride is over 1)
 */
public record AnchorSampling(int stride, long seed) {

  /** Every offset: what the offline scan uses, where the cost per byte matters little. */
  public static final AnchorSampling EVERY_OFFSET = new AnchorSampling(1, 0);

  /** The gateway's default stride ({@code detection.anchor_stride}): one offset in 8. */
  public static final int GATEWAY_STRIDE = 8;

  private static final SecureRandom SEEDS = new SecureRandom();

  /**
   * Per thread, a generator seeded once from {@link #SEEDS}: a stream's seed costs a few
   * nanoseconds (a reverse listener starts a stream per response body), not a SecureRandom call.
   */
  private static final ThreadLocal<SplittableRandom> LOCAL =
      ThreadLocal.withInitial(() -> new SplittableRandom(SEEDS.nextLong()));

  public AnchorSampling {
    if (stride < 1 || stride > 32 || Integer.bitCount(stride) != 1) {
      throw new IllegalArgumentException("stride " + stride + " not a power of two in 1..32");
    }
  }

  /**
   * Sampling with {@code stride} for one stream, its seed drawn from the calling thread's generator
   * (itself seeded from a {@link SecureRandom}).
   */
  public static AnchorSampling random(int stride) {
    return new AnchorSampling(stride, stride == 1 ? 0 : LOCAL.get().nextLong());
  }
}
