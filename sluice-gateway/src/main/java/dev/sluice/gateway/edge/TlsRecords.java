package dev.sluice.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What TLS adds to the bytes a link writes in one flush, so that the link can charge the exact
 * bytes its frames cost on the wire before writing them. Netty's {@link SslHandler} wraps what a
 * flush queued as one stream of plaintext, and the TLS engine cuts it into records of at most
 * {@code fragment} plaintext bytes, each costing {@code perRecord} bytes more: {@code plain} bytes
 * cost {@code ceil(plain / fragment) * perRecord}.
 *
 * <p>Both figures depend on the protocol, the cipher suite and the TLS implementation (the JDK's
 * TLS 1.3 engine, for one, does not fill records to 16384 bytes), so they are not taken from a
 * table but <em>measured</em>: the first time a gateway meets a (context, protocol, suite), it runs
 * the server's own {@link SslContext} against an in-memory client restricted to that protocol and
 * suite, completes a handshake, and writes probe batches (1 byte for the per-record cost, then a
 * binary search for the largest one-record batch). The result is cached. A suite whose cost depends
 * on the bytes (CBC padding) is detected (two one-byte probes, or a batch not matching the model)
 * and left unpredicted: the link then pays its frames without TLS overhead and the meter below TLS
 * charges the difference to the control allowance, logged. {@link #NONE} is a link without TLS.
 */
public final class TlsRecords {

  private static final Logger log = LoggerFactory.getLogger(TlsRecords.class);

  /** No TLS: nothing added. */
  public static final TlsRecords NONE = new TlsRecords(0, Integer.MAX_VALUE, "none");

  private static final Map<String, TlsRecords> MEASURED = new ConcurrentHashMap<>();

  private final int perRecord;
  private final int fragment;
  private final String suite;

  TlsRecords(int perRecord, int fragment, String suite) {
    this.perRecord = perRecord;
    this.fragment = fragment;
    this.suite = suite;
  }

  /**
   * The overhead of the session {@code handler} negotiated (after its handshake) with {@code
   * server}, the context it was made from.
   */
  public static TlsRecords of(SslContext server, SslHandler handler) {
    SSLSession s = handler.engine().getSession();
    String key = System.identityHashCode(server) + " " + s.getProtocol() + " " + s.getCipherSuite();
    return MEASURED.computeIfAbsent(key, k -> measure(server, s.getProtocol(), s.getCipherSuite()));
  }

  /** Measures {@code protocol} with {@code suite} on {@code server}'s engine; never throws. */
  static TlsRecords measure(SslContext server, String protocol, String suite) {
    String name = protocol + " " + suite;
    try {
      SslContext client =
          SslContextBuilder.forClient()
              .trustManager(InsecureTrustManagerFactory.INSTANCE)
              .protocols(protocol)
              .ciphers(List.of(suite))
              .build();
      EmbeddedChannel s = new EmbeddedChannel(server.newHandler(Unpooled.buffer().alloc()));
      EmbeddedChannel c = new EmbeddedChannel(client.newHandler(Unpooled.buffer().alloc()));
      try {
        for (int i = 0; i < 20 && !(done(s) && done(c)); i++) {
          shuttle(c, s);
          shuttle(s, c);
        }
        if (!done(s)) {
          return unknown(name, "the probe handshake did not complete");
        }
        shuttle(s, c);
        drain(s);
        long one = probe(s, 1) - 1;
        long again = probe(s, 1) - 1;
        if (one <= 0 || one != again) {
          return unknown(name, "a one-byte record costs " + one + ", then " + again);
        }
        int lo = 1;
        int hi = 1 << 15;
        while (lo < hi) { // the largest batch that is one record
          int mid = (lo + hi + 1) >>> 1;
          if (probe(s, mid) - mid == one) {
            lo = mid;
          } else {
            hi = mid - 1;
          }
        }
        TlsRecords t = new TlsRecords((int) one, lo, name);
        for (int n : new int[] {lo + 1, 3 * lo + 7, 70_001}) {
          if (probe(s, n) != n + t.overhead(n)) {
            return unknown(name, "a batch of " + n + " bytes does not fit the model");
          }
        }
        log.info("edge link TLS {}: {} bytes a record of at most {} bytes", name, one, lo);
        return t;
      } finally {
        s.finishAndReleaseAll();
        c.finishAndReleaseAll();
      }
    } catch (Exception | LinkageError e) {
      return unknown(name, e.toString());
    }
  }

  private static TlsRecords unknown(String name, String why) {
    log.warn(
        "edge link TLS {}: record overhead not predicted ({}); charged after the fact", name, why);
    return new TlsRecords(-1, Integer.MAX_VALUE, name);
  }

  private static boolean done(EmbeddedChannel ch) {
    return ch.pipeline().get(SslHandler.class).handshakeFuture().isSuccess();
  }

  private static long probe(EmbeddedChannel s, int n) {
    s.writeAndFlush(Unpooled.wrappedBuffer(new byte[n]));
    return drain(s);
  }

  private static void shuttle(EmbeddedChannel from, EmbeddedChannel to) {
    ByteBuf b;
    while ((b = from.readOutbound()) != null) {
      to.writeInbound(b);
    }
  }

  private static long drain(EmbeddedChannel ch) {
    long n = 0;
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      n += b.readableBytes();
      b.release();
    }
    return n;
  }

  /** True if the overhead is known. */
  public boolean predictable() {
    return perRecord >= 0;
  }

  /** Bytes TLS adds to a flush of {@code plain} bytes (0 if unknown: see the class comment). */
  public long overhead(long plain) {
    if (perRecord <= 0 || plain <= 0) {
      return 0;
    }
    long records = (plain + fragment - 1) / fragment;
    return Math.multiplyExact(records, perRecord);
  }

  @Override
  public String toString() {
    return suite
        + (predictable()
            ? " (+" + perRecord + " bytes a record of at most " + fragment + ")"
            : " (not predicted)");
  }
}
