package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.codec.CodecModel;
import dev.sluice.codec.StreamEncoder;
import dev.sluice.gateway.Transport;
import dev.sluice.gateway.edge.LinkMessage.Accept;
import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import dev.sluice.gateway.edge.LinkMessage.RefuseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link EdgeServer} against a scripted gateway on a plain socket: the script reads the edge's
 * HELLO and writes whatever stream the test wants, valid or not. A client on a plain socket sees
 * the restored bytes and a clean end, or, when anything in the gateway's stream is wrong, only the
 * bytes of the frames before it and a reset.
 */
@Timeout(30)
class EdgeServerTest {

  private final CodecModel model = CodecModel.builtIn();
  private ServerSocket gateway;
  private EdgeServer edge;

  /** What the scripted gateway read from the edge. */
  private final CompletableFuture<List<LinkMessage>> fromEdge = new CompletableFuture<>();

  @AfterEach
  void tearDown() throws IOException {
    if (edge != null) {
      edge.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  /**
   * Starts a gateway that reads the HELLO and the first DATA, then answers with the bytes {@code
   * script} makes from the HELLO.
   */
  private void gateway(Function<Hello, byte[]> script) throws IOException {
    gateway = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    Thread t =
        new Thread(
            () -> {
              try (Socket s = gateway.accept()) {
                InputStream in = s.getInputStream();
                LinkFrameDecoder d = new LinkFrameDecoder(LinkSide.EDGE);
                List<LinkMessage> got = new ArrayList<>();
                ByteBuf acc = Unpooled.buffer();
                byte[] buf = new byte[4096];
                try {
                  // As a real gateway, answer once the request (the client's first bytes) is in.
                  while (got.stream().noneMatch(m -> m instanceof Data)) {
                    int n = in.read(buf);
                    if (n < 0) {
                      return;
                    }
                    acc.writeBytes(buf, 0, n);
                    d.decode(acc, got);
                  }
                  s.getOutputStream().write(script.apply((Hello) got.get(0)));
                  s.getOutputStream().flush();
                  s.shutdownOutput();
                  // Read what the edge says until it closes (END, ERROR).
                  for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    acc.writeBytes(buf, 0, n);
                    d.decode(acc, got);
                  }
                } catch (IOException | LinkFormatException e) {
                  // the edge reset or sent something odd: report what was read so far
                } finally {
                  acc.release();
                  fromEdge.complete(got);
                }
              } catch (IOException e) {
                fromEdge.completeExceptionally(e);
              }
            },
            "scripted-gateway");
    t.setDaemon(true);
    t.start();
    edge =
        EdgeServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            new EdgeServer.Upstream("127.0.0.1", gateway.getLocalPort(), null, null),
            model,
            Transport.nio());
  }

  /** What a client that sends {@code request} and reads to the end gets. */
  private record Seen(byte[] bytes, boolean reset) {
    String text() {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
  }

  private Seen client(String request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(edge.address(), 5000);
      s.setSoTimeout(20_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n = s.getInputStream().read(buf); n >= 0; n = s.getInputStream().read(buf)) {
          got.write(buf, 0, n);
        }
      } catch (java.net.SocketException e) {
        assertThat(e.getMessage()).containsIgnoringCase("reset");
        return new Seen(got.toByteArray(), true);
      }
      return new Seen(got.toByteArray(), false);
    }
  }

  /** A gateway stream: magic, the given messages, as bytes. */
  private static byte[] stream(LinkMessage... ms) {
    LinkFrameEncoder e = new LinkFrameEncoder(LinkSide.GATEWAY);
    ByteBuf b = Unpooled.buffer();
    try {
      for (LinkMessage m : ms) {
        e.encode(m, b);
      }
      byte[] out = new byte[b.readableBytes()];
      b.readBytes(out);
      return out;
    } finally {
      b.release();
    }
  }

  private Data segment(StreamEncoder enc, String text) {
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    enc.write(b, 0, b.length);
    return new Data(enc.flush());
  }

  private Accept accept(Hello h) {
    return Accept.of(1, GatewayLinkHandler.CODEC_STREAM, h.modelId());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void restoresTheResponseAndEndsCleanly() throws Exception {
    gateway(
        h -> {
          StreamEncoder enc = new StreamEncoder(model);
          return stream(
              accept(h),
              segment(enc, "HTTP/1.1 200 OK\r\n"),
              segment(enc, "\r\nhello"),
              new End(End.UNCOUNTED, enc.rawBytes()));
        });
    Seen seen = client("GET / HTTP/1.1\r\n\r\n");
    assertThat(seen.reset()).isFalse();
    assertThat(seen.text()).isEqualTo("HTTP/1.1 200 OK\r\n\r\nhello");
    List<LinkMessage> up = fromEdge.get(10, TimeUnit.SECONDS);
    Hello hello = (Hello) up.get(0);
    assertThat(hello.codecs()).containsExactly(1);
    assertThat(hello.modelId()).isEqualTo(model.id());
    assertThat(hello.client()).startsWith("127.0.0.1:");
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    up.stream().filter(m -> m instanceof Data).forEach(m -> raw.writeBytes(((Data) m).bytes()));
    assertThat(raw.toString(StandardCharsets.ISO_8859_1)).isEqualTo("GET / HTTP/1.1\r\n\r\n");
  }

  @Test
  void aCorruptedCrcResetsTheClientAfterTheFramesBeforeIt() throws Exception {
    gateway(
        h -> {
          StreamEncoder enc = new StreamEncoder(model);
          byte[] good = stream(accept(h), segment(enc, "first "));
          Data second = segment(enc, "second");
          byte[] all =
              stream(
                  accept(h),
                  segment(new StreamEncoder(model), "first "),
                  second,
                  new End(End.UNCOUNTED, enc.rawBytes()));
          // the first payload byte of the second DATA frame
          all[good.length + EdgeLink.headerSize(second.bytes().length)] ^= 0x20;
          return all;
        });
    Seen seen = client("GET / HTTP/1.1\r\n\r\n");
    assertThat(seen.reset()).isTrue();
    // At most the frames before the bad one (a reset may discard what was still in flight).
    assertThat("first ").startsWith(seen.text());
    List<LinkMessage> up = fromEdge.get(10, TimeUnit.SECONDS);
    LinkError e = (LinkError) up.get(up.size() - 1);
    assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL);
    assertThat(e.reason()).contains("CRC mismatch", "byte ");
  }

  @Test
  void aTruncatedStreamResetsTheClient() throws Exception {
    gateway(
        h -> {
          byte[] good = stream(accept(h), segment(new StreamEncoder(model), "complete "));
          // A frame that never ends: the header of a DATA frame announcing 100 bytes, then EOF.
          byte[] cut = new byte[2 + 10];
          cut[0] = 4;
          cut[1] = 100;
          return concat(good, cut);
        });
    Seen seen = client("GET / HTTP/1.1\r\n\r\n");
    assertThat(seen.reset()).isTrue();
    assertThat("complete ").startsWith(seen.text());
  }

  @Test
  void aSegmentThatDoesNotDecodeResetsTheClientAndTellsTheGateway() throws Exception {
    gateway(
        h -> {
          StreamEncoder enc = new StreamEncoder(model);
          Data ok = segment(enc, "fine ");
          byte[] bad = segment(enc, "then garbage").bytes();
          bad[0] = (byte) 0xFF; // not a segment the decoder accepts; the frame's CRC is valid
          bad[1] = (byte) 0xFF;
          return stream(accept(h), ok, new Data(bad), new End(End.UNCOUNTED, enc.rawBytes()));
        });
    Seen seen = client("GET / HTTP/1.1\r\n\r\n");
    assertThat(seen.reset()).isTrue();
    assertThat("fine ").startsWith(seen.text());
    List<LinkMessage> up = fromEdge.get(10, TimeUnit.SECONDS);
    LinkError e = (LinkError) up.get(up.size() - 1);
    assertThat(e.code()).isEqualTo(ErrorCode.CODEC);
    assertThat(e.reason()).contains("byte ", "DATA frame at byte ");
  }

  @Test
  void anEndWhoseDecodedCountIsWrongResetsTheClient() throws Exception {
    gateway(
        h -> {
          StreamEncoder enc = new StreamEncoder(model);
          return stream(accept(h), segment(enc, "abc"), new End(End.UNCOUNTED, 4));
        });
    Seen seen = client("x");
    assertThat(seen.reset()).isTrue();
  }

  @Test
  void aRefusalResetsTheClientWithNothingSent() throws Exception {
    gateway(h -> stream(new Refuse(RefuseCode.MODEL, "codec model mismatch")));
    Seen seen = client("GET / HTTP/1.1\r\n\r\n");
    assertThat(seen.reset()).isTrue();
    assertThat(seen.bytes()).isEmpty();
  }

  @Test
  void anAcceptForAnotherModelIsRejected() throws Exception {
    gateway(h -> stream(new Accept(1, 1, new byte[EdgeLink.MODEL_PREFIX])));
    Seen seen = client("GET / HTTP/1.1\r\n\r\n");
    assertThat(seen.reset()).isTrue();
    List<LinkMessage> up = fromEdge.get(10, TimeUnit.SECONDS);
    LinkError e = (LinkError) up.get(up.size() - 1);
    assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL);
    assertThat(e.reason()).contains("codec model mismatch");
  }
}
