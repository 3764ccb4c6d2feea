package dev.sluice.gateway.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.DetectionConfig;
import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.scan.Detector;
import dev.sluice.gateway.scan.RandomWeights;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reverse listener's scan stage above an HTTP response encoder in an {@link EmbeddedChannel}: a
 * response whose body carries weights is answered 403 {@code weights_detected} when nothing of it
 * had left, cut when its head had left; a gzip body is scanned decoded; text responses pass.
 */
class ReverseScanStageTest {

  @TempDir static Path weightsDir;
  @TempDir Path dir;

  private static final long HOLD_MS = DetectionConfig.DEFAULT_HOLD.toMillis();

  static RandomWeights weights;

  @BeforeAll
  static void index() throws Exception {
    weights = new RandomWeights(weightsDir, 2 << 20, 23);
  }

  private static EmbeddedChannel channel(ListenerFixture f, ConnectionRecord rec) {
    Detector d =
        new Detector(
            new DetectionConfig(Path.of("w.sfi"), false, DetectionConfig.Action.BLOCK),
            weights.index,
            f.lc.evidence(),
            "reverse",
            "inference");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast("http", new HttpResponseEncoder());
    ch.pipeline().addLast("scan", ReverseListener.scanStage(d, rec));
    return ch;
  }

  private static HttpResponse head(String encoding) {
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    if (encoding != null) {
      res.headers().set(HttpHeaderNames.CONTENT_ENCODING, encoding);
    }
    return res;
  }

  private static void body(EmbeddedChannel ch, byte[] data, int piece) {
    for (int off = 0; off < data.length && ch.isActive(); off += piece) {
      int n = Math.min(piece, data.length - off);
      ch.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(data, off, n)));
    }
    if (ch.isActive()) {
      ch.writeAndFlush(new DefaultLastHttpContent());
    }
  }

  /** Lets the ledger write everything queued (a cut waits for its entry), then runs the tasks. */
  private static void ledgered(ListenerFixture f, EmbeddedChannel ch) {
    f.close();
    ch.runPendingTasks();
  }

  private static String out(EmbeddedChannel ch) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      byte[] a = new byte[b.readableBytes()];
      b.readBytes(a);
      all.writeBytes(a);
      b.release();
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  @Test
  void weightsBeforeAnythingLeftAre403() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      ConnectionRecord rec = f.record();
      EmbeddedChannel ch = channel(f, rec);
      ch.writeAndFlush(head(null));
      body(ch, weights.slice(40_000, 1 << 20), 16 * 1024);
      ledgered(f, ch);

      String out = out(ch);
      assertThat(out).startsWith("HTTP/1.1 403 Forbidden");
      assertThat(out).contains("\"type\":\"weights_detected\"").contains("connection: close");
      assertThat(out).doesNotContain("200 OK");
      assertThat(ch.isActive()).isFalse();
      LedgerEntry e = f.closeAndRead(EntryType.DETECTION).get(0);
      assertThat(e.getLong("bytes_out")).isZero();
    }
  }

  @Test
  void weightsAfterTheHeadLeftAreCut() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      ConnectionRecord rec = f.record();
      EmbeddedChannel ch = channel(f, rec);
      ch.writeAndFlush(head(null));
      ch.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer("data: hi\n\n".getBytes())));
      ch.advanceTimeBy(HOLD_MS, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      assertThat(out(ch)).startsWith("HTTP/1.1 200 OK").endsWith("data: hi\n\n\r\n");
      body(ch, weights.slice(1_000_000, 1 << 20), 16 * 1024);
      ledgered(f, ch);

      assertThat(ch.isActive()).isFalse();
      String rest = out(ch);
      assertThat(rest).doesNotContain("403");
      assertThat(rec.reason()).isEqualTo("weights_detected");
      LedgerEntry e = f.closeAndRead(EntryType.DETECTION).get(0);
      assertThat(e.getLong("offset")).isGreaterThanOrEqualTo(e.getLong("bytes_out"));
    }
  }

  @Test
  void gzipBase64BodiesAreScannedDecoded() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      EmbeddedChannel ch = channel(f, f.record());
      ByteArrayOutputStream z = new ByteArrayOutputStream();
      try (GZIPOutputStream g = new GZIPOutputStream(z)) {
        g.write(RandomWeights.text(50_000, 4));
        g.write(",\"file\":\"".getBytes(StandardCharsets.US_ASCII));
        g.write(java.util.Base64.getEncoder().encode(weights.slice(300_000, 1 << 20)));
      }
      ch.writeAndFlush(head("gzip"));
      body(ch, z.toByteArray(), 16 * 1024);
      ledgered(f, ch);
      assertThat(out(ch)).startsWith("HTTP/1.1 403");
      assertThat(f.closeAndRead(EntryType.DETECTION).get(0).getString("lane"))
          .isEqualTo("gzip+base64");
    }
  }

  @Test
  void textResponsesPass() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      EmbeddedChannel ch = channel(f, f.record());
      byte[] text = RandomWeights.text(600_000, 5);
      ch.writeAndFlush(head(null));
      body(ch, text, 16 * 1024);
      ch.advanceTimeBy(HOLD_MS, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      String out = out(ch);
      assertThat(out).startsWith("HTTP/1.1 200 OK").endsWith("0\r\n\r\n");
      assertThat(ch.isActive()).isTrue();
      assertThat(f.closeAndRead(EntryType.DETECTION)).isEmpty();
    }
  }
}
