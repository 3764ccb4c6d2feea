package dev.sluice.gateway.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.DetectionConfig;
import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The message-level scan stage as a forward listener uses it (above an HTTP request encoder, no
 * refusal) in an {@link EmbeddedChannel} with frozen time and a real ledger: a request body sent
 * with {@code Content-Encoding: deflate} is scanned decoded and cut before its weights leave; a
 * clean body leaves as soon as its end was judged, without waiting for the hold deadline; a long
 * head carrying weights is judged on its own.
 */
class HttpScanStageTest {

  @TempDir static Path weightsDir;
  @TempDir Path dir;

  static RandomWeights weights;

  @BeforeAll
  static void index() throws Exception {
    weights = new RandomWeights(weightsDir, 2 << 20, 23);
  }

  private static EmbeddedChannel channel(ListenerFixture f, ConnectionRecord rec) {
    // every offset tested for anchors: the 96 KiB head below holds about 12 anchors, of which the
    // default stride (8, random phases) would find none in about one run in five
    Detector d =
        new Detector(
            new DetectionConfig(
                Path.of("w.sfi"),
                false,
                DetectionConfig.Action.BLOCK,
                DetectionConfig.DEFAULT_HOLD,
                1),
            weights.index,
            f.lc.evidence(),
            "out",
            "inference");
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast("http", new HttpRequestEncoder());
    ch.pipeline().addLast("scan", new HttpScanStage(d, rec, null));
    return ch;
  }

  private static HttpRequest post(String encoding, int length) {
    HttpRequest req =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "http://dest.example/up");
    req.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    if (encoding != null) {
      req.headers().set(HttpHeaderNames.CONTENT_ENCODING, encoding);
    }
    return req;
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

  /**
   * Lets the ledger write everything queued (a cut waits for its entry) and runs the tasks that
   * were waiting for it; returns bytes that left meanwhile.
   */
  private static long ledgered(ListenerFixture f, EmbeddedChannel ch) {
    f.close();
    ch.runPendingTasks();
    return drain(ch);
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

  @Test
  void aDeflatedRequestBodyIsScannedDecodedAndCut() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "forward", "enforce")) {
      ConnectionRecord rec = f.record();
      EmbeddedChannel ch = channel(f, rec);
      ByteArrayOutputStream z = new ByteArrayOutputStream();
      // base64 before deflate: deflate stores random bytes as they are (stored blocks), where the
      // raw lane would see them; base64 text is compressed, so only the decoded lane can
      try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
        d.write(java.util.Base64.getEncoder().encode(weights.slice(77_777, 1 << 20)));
      }
      byte[] deflated = z.toByteArray();
      ch.writeAndFlush(post("deflate", deflated.length));
      body(ch, deflated, 16 * 1024);
      long left = drain(ch);
      left += ledgered(f, ch);

      assertThat(ch.isActive()).as("cut").isFalse();
      assertThat(left).as("the head may have left, not the body").isLessThan(1024);
      assertThat(rec.reason()).isEqualTo("weights_detected");
      LedgerEntry e = f.read(EntryType.DETECTION).get(0);
      assertThat(e.getString("lane")).isEqualTo("deflate+base64");
      assertThat(e.getLong("blocked")).isEqualTo(1);
    }
  }

  @Test
  void aCleanBodyLeavesOnceItsEndIsJudged() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "forward", "enforce")) {
      EmbeddedChannel ch = channel(f, f.record());
      byte[] text = RandomWeights.text(100_000, 8);
      ch.writeAndFlush(post(null, text.length));
      body(ch, text, 16 * 1024);
      long left = drain(ch);
      assertThat(left).as("all of it, without waiting for the deadline").isGreaterThan(text.length);
      assertThat(ch.isActive()).isTrue();
      ch.close();
      assertThat(f.closeAndRead(EntryType.DETECTION)).isEmpty();
    }
  }

  @Test
  void aLongHeadCarryingWeightsIsJudgedOnItsOwn() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "forward", "enforce")) {
      ConnectionRecord rec = f.record();
      EmbeddedChannel ch = channel(f, rec);
      HttpRequest req = post(null, 0);
      String blob = java.util.Base64.getEncoder().encodeToString(weights.slice(300_000, 96 * 1024));
      req.headers().set("X-Blob", blob);
      ch.writeAndFlush(req);
      ch.writeAndFlush(new DefaultLastHttpContent());
      long left = drain(ch);
      left += ledgered(f, ch);
      assertThat(ch.isActive()).isFalse();
      assertThat(left).isZero();
      assertThat(f.read(EntryType.DETECTION)).hasSize(1);
    }
  }
}
