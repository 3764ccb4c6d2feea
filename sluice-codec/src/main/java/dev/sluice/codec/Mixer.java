package dev.sluice.codec;

/**
 * A gated linear mixer of stretched predictions (lpaq/paq8 style): the weights of a set chosen by a
 * small context are combined with the inputs, squashed, and trained on the coding error. Integer
 * arithmetic throughout, so encoder and decoder agree bit for bit. Weights are 16.16 fixed point.
 */
final class Mixer {
  final int inputs;
  final int[] w;
  private final int[] x;
  private final int rate;
  private int n;
  private int base;
  private int pr;

  Mixer(int inputs, int sets, int rate, int initialWeight) {
    this.inputs = inputs;
    this.rate = rate;
    this.w = new int[inputs * sets];
    this.x = new int[inputs];
    java.util.Arrays.fill(w, initialWeight);
  }

  void add(int st) {
    x[n++] = st;
  }

  /** The mixed prediction, stretched (not yet squashed), with weight set {@code set}. */
  int mix(int set) {
    base = set * inputs;
    long dot = 0;
    for (int i = 0; i < n; i++) {
      dot += (long) x[i] * w[base + i];
    }
    int d = (int) (dot >> 16);
    if (d > 2047) {
      d = 2047;
    } else if (d < -2047) {
      d = -2047;
    }
    pr = Logistic.squash(d);
    return d;
  }

  /** Trains the set used by the last {@link #mix} on bit {@code y}, and clears the inputs. */
  void update(int y) {
    int err = ((y << 12) - pr) * rate;
    for (int i = 0; i < n; i++) {
      w[base + i] += (int) (((long) x[i] * err + 0x2000) >> 14);
    }
    n = 0;
  }
}
