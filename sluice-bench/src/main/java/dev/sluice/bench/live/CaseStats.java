package dev.sluice.bench.live;

import dev.sluice.bench.live.PairedLoad.Paired;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.DoubleStream;

/**
 * What a client saw in one case: the responses, whether each body was exactly what the upstream
 * sent (its SHA-256 against the upstream's), the answer text delivered through the edge, and the
 * latencies in milliseconds: per event (arrival at the client minus the upstream's send time of
 * that event, through the edge and direct, and their difference pair by pair, event by event), and
 * to the first byte (from writing the request to the first byte of the response).
 *
 * @param responses requests answered on both paths
 * @param exact responses whose body through the edge and direct both equal the upstream's body
 * @param textBytes UTF-8 bytes of the answer text of the exact responses
 * @param directWireBytes bytes the direct clients received for the exact responses (head, framing)
 */
public record CaseStats(
    int responses,
    int exact,
    long textBytes,
    long directWireBytes,
    double[] addedPerEvent,
    double[] edgePerEvent,
    double[] directPerEvent,
    double[] addedFirstByte,
    double[] edgeFirstByte,
    double[] directFirstByte) {

  /** Computes the figures of {@code pairs}, whose clocks {@code client} converts to epoch. */
  public static CaseStats of(List<Paired> pairs, Timebase client) {
    int exact = 0;
    long text = 0;
    long directWire = 0;
    DoubleStream.Builder added = DoubleStream.builder();
    DoubleStream.Builder edge = DoubleStream.builder();
    DoubleStream.Builder direct = DoubleStream.builder();
    DoubleStream.Builder addedTtfb = DoubleStream.builder();
    DoubleStream.Builder edgeTtfb = DoubleStream.builder();
    DoubleStream.Builder directTtfb = DoubleStream.builder();
    for (Paired p : pairs) {
      if (!sha256(p.edge().body()).equals(p.edgeSends().bodySha256())
          || !sha256(p.direct().body()).equals(p.directSends().bodySha256())
          || p.edgeSends().sizes().length != p.directSends().sizes().length) {
        continue;
      }
      exact++;
      text += p.edgeSends().textBytes();
      directWire += p.direct().wireBytes();
      int[] sizes = p.edgeSends().sizes();
      long end = 0;
      for (int k = 0; k < sizes.length; k++) {
        end += sizes[k];
        double e = latencyMs(p.edge(), p.edgeSends(), k, end, client);
        double d = latencyMs(p.direct(), p.directSends(), k, end, client);
        edge.add(e);
        direct.add(d);
        added.add(e - d);
      }
      double e = (p.edge().firstByteNanos() - p.edge().sentNanos()) / 1e6;
      double d = (p.direct().firstByteNanos() - p.direct().sentNanos()) / 1e6;
      edgeTtfb.add(e);
      directTtfb.add(d);
      addedTtfb.add(e - d);
    }
    return new CaseStats(
        pairs.size(),
        exact,
        text,
        directWire,
        added.build().toArray(),
        edge.build().toArray(),
        direct.build().toArray(),
        addedTtfb.build().toArray(),
        edgeTtfb.build().toArray(),
        directTtfb.build().toArray());
  }

  /**
   * Event {@code k}'s arrival at the client (when the body reached {@code end} bytes) minus its
   * send time at the upstream, in ms.
   */
  private static double latencyMs(Exchange x, Sends s, int k, long end, Timebase client) {
    long arrived = client.epochNanos(x.arrivalOf(end));
    return (arrived - s.sendEpochNanos()[k]) / 1e6;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
