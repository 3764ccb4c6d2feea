package dev.sluice.gateway.scan;

import dev.sluice.detect.fingerprint.Match;
import dev.sluice.detect.tensor.TensorFinding;
import dev.sluice.ledger.LedgerEntry;

/**
 * Weights found in one stream by the scan stage: an indexed fingerprint ({@link Kind#FINGERPRINT})
 * or float tensor data ({@link Kind#TENSOR}).
 *
 * @param offset stream offset of the first byte found (on a decoded lane a lower bound: the start
 *     of the piece its first decoded byte came from)
 * @param bytes bytes matched or flagged so far (decoded bytes on a decoded lane)
 * @param what the evidence: the match (lane, source file and offset) or the tensor region (dtype,
 *     carrier), as {@code key=value} fields
 */
public record Finding(Kind kind, long offset, long bytes, Match match, TensorFinding tensor) {

  /** What found it: the metric's and the ledger's {@code kind}. */
  public enum Kind {
    FINGERPRINT("fingerprint"),
    TENSOR("tensor");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  static Finding of(Match m) {
    return new Finding(Kind.FINGERPRINT, m.streamOffset(), m.length(), m, null);
  }

  static Finding of(TensorFinding t) {
    return new Finding(Kind.TENSOR, t.offset(), t.length(), null, t);
  }

  /** The match's or region's fields for the ledger entry. */
  void put(LedgerEntry.Builder e) {
    if (match != null) {
      e.put("lane", match.lane())
          .put("source", match.file().name())
          .put("source_offset", match.sourceOffset());
    } else {
      e.put("dtype", tensor.dtype().name()).put("carrier", tensor.carrier().name().toLowerCase());
    }
  }

  /** One line for logs and the alert's description. */
  public String describe() {
    if (match != null) {
      return "fingerprint of "
          + match.file().name()
          + " at source offset "
          + match.sourceOffset()
          + " (lane "
          + match.lane()
          + ") at stream offset "
          + offset;
    }
    return "float tensor data ("
        + tensor.dtype().name()
        + ", "
        + tensor.carrier().name().toLowerCase()
        + ") at stream offset "
        + offset
        + ", "
        + bytes
        + " bytes";
  }
}
