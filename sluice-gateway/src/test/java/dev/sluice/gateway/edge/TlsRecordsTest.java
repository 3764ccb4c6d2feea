package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the link predicts TLS adds to a batch (measured once per context, protocol and suite) is
 * what TLS through Netty's SslHandler, as the gateway uses it, writes on another session: a pair of
 * embedded channels does a real handshake, then batches of many sizes, each written and flushed
 * alone, come out exactly as predicted.
 */
class TlsRecordsTest {

  @TempDir Path dir;

  @Test
  void everyBatchCostsExactlyWhatIsPredicted() throws Exception {
    dev.sluice.gateway.forward.TestCertificates certs =
        dev.sluice.gateway.forward.TestCertificates.selfSigned(dir, "localhost");
    Path cert = dir.resolve("c.pem");
    Path key = dir.resolve("k.pem");
    certs.writePem(cert, key);
    SslContext server = SslContextBuilder.forServer(cert.toFile(), key.toFile()).build();
    SslContext client = SslContextBuilder.forClient().trustManager(cert.toFile()).build();
    EmbeddedChannel s = new EmbeddedChannel(server.newHandler(Unpooled.buffer().alloc()));
    EmbeddedChannel c =
        new EmbeddedChannel(client.newHandler(Unpooled.buffer().alloc(), "localhost", 1));
    for (int i = 0; i < 20 && !(handshaken(s) && handshaken(c)); i++) {
      shuttle(c, s);
      shuttle(s, c);
    }
    assertThat(handshaken(s)).isTrue();
    shuttle(s, c); // session tickets and the like: the link's first bytes, charged to control
    drain(s);
    TlsRecords t = TlsRecords.of(server, s.pipeline().get(SslHandler.class));
    assertThat(t.predictable()).as(t.toString()).isTrue();
    Random rnd = new Random(3);
    int[] sizes = {1, 2, 100, 16383, 16384, 16385, 32768, 50000, 1 << 20};
    for (int k = 0; k < sizes.length + 20; k++) {
      int n = k < sizes.length ? sizes[k] : 1 + rnd.nextInt(70_000);
      byte[] b = new byte[n];
      rnd.nextBytes(b);
      s.writeAndFlush(Unpooled.wrappedBuffer(b));
      long wire = drain(s);
      assertThat(wire).as("batch of %d bytes, %s", n, t).isEqualTo(n + t.overhead(n));
    }
    s.finishAndReleaseAll();
    c.finishAndReleaseAll();
  }

  private static boolean handshaken(EmbeddedChannel ch) {
    return ch.pipeline().get(SslHandler.class).handshakeFuture().isSuccess();
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
}
