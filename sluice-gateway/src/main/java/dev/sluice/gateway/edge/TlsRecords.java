package dev.sluice.gateway.edge;

import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLSession;

/**
 * What TLS adds to the bytes a link writes in one flush, so that the link can charge the exact
 * bytes its frames cost on the wire before writing them. Netty's {@link SslHandler} wraps what is
 * queued at a flush in pieces of {@value #MAX_PLAINTEXT} bytes (its coalescing queue takes
 * consecutive writes up to that size), one record each; the link writes each batch of frames and
 * flushes it alone, so a batch of {@code b} bytes becomes {@code ceil(b / 16384)} records. Each
 * record costs, over its plaintext, the overhead of the negotiated protocol and AEAD suite:
 *
 * <table>
 *   <caption>Bytes added per record</caption>
 *   <tr><th>protocol, suite</th><th>bytes</th><th>why</th></tr>
 *   <tr><td>TLS 1.3, any (AES-GCM, ChaCha20-Poly1305)</td><td>22</td><td>5 header, 1 inner
 *       content type, 16 tag</td></tr>
 *   <tr><td>TLS 1.2, *_GCM_*</td><td>29</td><td>5 header, 8 explicit nonce, 16 tag</td></tr>
 *   <tr><td>TLS 1.2, *_CHACHA20_POLY1305_*</td><td>21</td><td>5 header, 16 tag</td></tr>
 * </table>
 *
 * <p>Other suites (CBC, with padding that depends on the length) are not predicted: the link then
 * pays for its frames without TLS overhead and the meter below TLS charges the difference to the
 * control allowance, logged as unforeseen bytes. {@link #NONE} is a link without TLS.
 */
public final class TlsRecords {

  /** Most plaintext bytes per record (TLS, and the wrap size of Netty's SslHandler). */
  public static final int MAX_PLAINTEXT = 16 * 1024;

  /** No TLS: nothing added. */
  public static final TlsRecords NONE = new TlsRecords(0, "none");

  private final int perRecord;
  private final String suite;

  private TlsRecords(int perRecord, String suite) {
    this.perRecord = perRecord;
    this.suite = suite;
  }

  /** The overhead of the session {@code handler} negotiated (after its handshake). */
  public static TlsRecords of(SslHandler handler) {
    SSLSession s = handler.engine().getSession();
    return of(s.getProtocol(), s.getCipherSuite());
  }

  /** The overhead of {@code protocol} (e.g. {@code TLSv1.3}) with {@code suite}. */
  public static TlsRecords of(String protocol, String suite) {
    int per;
    if ("TLSv1.3".equals(protocol)) {
      per = suite.contains("CCM_8") ? 14 : 22;
    } else if ("TLSv1.2".equals(protocol) && suite.contains("_GCM_")) {
      per = 29;
    } else if ("TLSv1.2".equals(protocol) && suite.contains("CHACHA20_POLY1305")) {
      per = 21;
    } else {
      per = -1;
    }
    return new TlsRecords(per, protocol + " " + suite);
  }

  /** True if the overhead is known (an AEAD suite). */
  public boolean predictable() {
    return perRecord >= 0;
  }

  /** Bytes TLS adds to a flush of {@code plain} bytes (0 if unknown: see the class comment). */
  public long overhead(long plain) {
    if (perRecord <= 0 || plain <= 0) {
      return 0;
    }
    long records = (plain + MAX_PLAINTEXT - 1) / MAX_PLAINTEXT;
    return Math.multiplyExact(records, perRecord);
  }

  @Override
  public String toString() {
    return suite + (predictable() ? " (+" + perRecord + " bytes a record)" : " (not predicted)");
  }
}
