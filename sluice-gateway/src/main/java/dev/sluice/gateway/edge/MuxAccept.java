package dev.sluice.gateway.edge;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The gateway's frame 0 when it takes a version 2 link: the version and codec, the first 8 bytes of
 * its model id, and the link settings (see {@link MuxFormat}).
 *
 * @param checksums whether every later frame of both sides carries a CRC32C (plain TCP) or none
 *     (TLS, which already guarantees integrity)
 * @param window the initial upward window of every stream: raw client bytes the edge may send on a
 *     stream before the gateway grants more
 * @param pingMillis how long a side may stay silent before the other PINGs it; silence for three
 *     times this long ends the link (0: no keep-alive)
 */
public record MuxAccept(
    int version, int codec, byte[] modelPrefix, boolean checksums, int window, int pingMillis) {

  public MuxAccept {
    if (version < 1 || version > 0xFF || codec < 0 || codec > 0xFF) {
      throw new IllegalArgumentException("version or codec out of range");
    }
    if (modelPrefix.length != EdgeLink.MODEL_PREFIX) {
      throw new IllegalArgumentException("model prefix of " + modelPrefix.length + " bytes");
    }
    if (window < 1 || pingMillis < 0) {
      throw new IllegalArgumentException("window must be >= 1 and ping >= 0");
    }
  }

  /** The ACCEPT of a gateway with this (whole, 32-byte) model id. */
  public static MuxAccept of(
      int codec, byte[] modelId, boolean checksums, int window, int pingMillis) {
    return new MuxAccept(
        MuxFormat.VERSION, codec, EdgeLink.modelPrefix(modelId), checksums, window, pingMillis);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MuxAccept a
        && version == a.version
        && codec == a.codec
        && Arrays.equals(modelPrefix, a.modelPrefix)
        && checksums == a.checksums
        && window == a.window
        && pingMillis == a.pingMillis;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(modelPrefix) * 31 + window;
  }

  @Override
  public String toString() {
    return "Accept[version="
        + version
        + ", codec="
        + codec
        + ", model="
        + HexFormat.of().formatHex(modelPrefix)
        + "…, checksums="
        + checksums
        + ", window="
        + window
        + ", ping="
        + pingMillis
        + "ms]";
  }
}
