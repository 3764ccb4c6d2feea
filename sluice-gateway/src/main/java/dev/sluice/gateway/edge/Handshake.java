package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.Accept;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import dev.sluice.gateway.edge.LinkMessage.RefuseCode;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The version, codec and model decision of the link handshake. The gateway answers a HELLO with
 * {@link #answer}: the highest version both speak, then the first codec of its own preference list
 * that the edge offers; the model ids must be equal whatever the codec (a misconfigured edge must
 * not quietly fall back to a weaker codec, which would charge the tenant more). The edge checks the
 * answer with {@link #check}: the version and codec must be ones it offered, and the first 8 bytes
 * of the model id that ACCEPT carries those of its own.
 *
 * @param versions versions this side speaks, strictly ascending
 * @param codecs codec ids this side can use, in order of preference (the gateway's order decides)
 * @param modelId the model id this side loaded (32 bytes, zero for none)
 */
public record Handshake(List<Integer> versions, List<Integer> codecs, byte[] modelId) {

  public Handshake {
    versions = List.copyOf(versions);
    codecs = List.copyOf(codecs);
    if (modelId.length != EdgeLink.MODEL_ID) {
      throw new IllegalArgumentException("model id of " + modelId.length + " bytes");
    }
    modelId = modelId.clone();
    if (versions.stream().anyMatch(v -> v < 1 || v > 0xFF)
        || codecs.stream().anyMatch(c -> c < 0 || c > 0xFF)) {
      throw new IllegalArgumentException(
          "versions must be 1..255 and codec ids 0..255: " + versions + ", " + codecs);
    }
  }

  /** Version 1 with the identity codec only and no model. */
  public static Handshake identity() {
    return new Handshake(
        List.of(EdgeLink.VERSION), List.of(EdgeLink.CODEC_IDENTITY), EdgeLink.noModel());
  }

  /** The HELLO an edge with this configuration sends. */
  public Hello hello(String client) {
    return new Hello(versions, codecs.stream().sorted().toList(), modelId, client);
  }

  /** The gateway's answer to {@code hello}: ACCEPT, or REFUSE with a reason naming both sides. */
  public LinkMessage answer(Hello hello) {
    int version =
        hello.versions().stream()
            .filter(versions::contains)
            .mapToInt(Integer::intValue)
            .max()
            .orElse(0);
    if (version == 0) {
      return new Refuse(
          RefuseCode.VERSION,
          "no common protocol version: the edge speaks "
              + hello.versions()
              + ", the gateway "
              + versions);
    }
    if (!Arrays.equals(hello.modelId(), modelId)) {
      return new Refuse(
          RefuseCode.MODEL,
          "codec model mismatch: the edge loaded "
              + describe(hello.modelId())
              + ", the gateway "
              + describe(modelId)
              + "; load the same model file on both");
    }
    for (int codec : codecs) {
      if (hello.codecs().contains(codec)) {
        return Accept.of(version, codec, modelId);
      }
    }
    return new Refuse(
        RefuseCode.CODEC,
        "no common codec: the edge offers " + hello.codecs() + ", the gateway " + codecs);
  }

  /**
   * Null if {@code accept} is a valid answer to {@code sent} from a gateway; otherwise why not (the
   * edge then closes with ERROR PROTOCOL).
   */
  public static String check(Hello sent, Accept accept) {
    if (!sent.versions().contains(accept.version())) {
      return "the gateway chose version " + accept.version() + ", not offered " + sent.versions();
    }
    if (!sent.codecs().contains(accept.codec())) {
      return "the gateway chose codec " + accept.codec() + ", not offered " + sent.codecs();
    }
    if (!Arrays.equals(EdgeLink.modelPrefix(sent.modelId()), accept.modelPrefix())) {
      return "codec model mismatch: the edge loaded "
          + describe(sent.modelId())
          + ", the gateway "
          + describe(accept.modelPrefix());
    }
    return null;
  }

  /**
   * "no model" (all zero), or "model " and the first 8 bytes of the id (or of the prefix ACCEPT
   * carries) in hex.
   */
  static String describe(byte[] modelId) {
    boolean zero = true;
    for (byte b : modelId) {
      zero &= b == 0;
    }
    return zero
        ? "no model"
        : "model " + HexFormat.of().formatHex(modelId, 0, EdgeLink.MODEL_PREFIX) + "…";
  }

  @Override
  public byte[] modelId() {
    return modelId.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Handshake h
        && versions.equals(h.versions)
        && codecs.equals(h.codecs)
        && Arrays.equals(modelId, h.modelId);
  }

  @Override
  public int hashCode() {
    return versions.hashCode() * 31 + codecs.hashCode() * 17 + Arrays.hashCode(modelId);
  }

  @Override
  public String toString() {
    return "Handshake[versions=" + versions + ", codecs=" + codecs + ", " + describe(modelId) + "]";
  }
}
