package dev.sluice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.gateway.forward.ForwardListener;
import dev.sluice.gateway.reverse.ReverseListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DefaultSocketChannelConfig;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzz targets: the HTTP intake of a reverse and of a forward listener on arbitrary client bytes.
 * The bytes (in pieces of the size the input's first byte picks) go into an {@code EmbeddedChannel}
 * set up by the listener's own {@code initChannel}, as an accepted connection would be (a real
 * local budget store and ledger from {@link ListenerFixture}; upstreams and destinations cannot be
 * reached, names never resolve). The pipeline answers (an HTTP/1.x status line) or closes; no
 * exception ever leaves it. Regression mode (every {@code verify}) runs the inputs under {@code
 * src/test/resources/dev/sluice/gateway/IntakeFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class IntakeFuzzTest {

  private static ListenerFixture reverse;
  private static ListenerFixture forward;
  private static ReverseListener reverseListener;
  private static ForwardListener forwardListener;

  private static synchronized ChannelHandler listener(String mode) {
    try {
      if (mode.equals("reverse")) {
        if (reverse == null) {
          reverse = new ListenerFixture(tempDir(), "reverse", "enforce");
          reverseListener = new ReverseListener(reverse.lc, null, null);
        }
        return reverseListener;
      }
      if (forward == null) {
        forward = new ListenerFixture(tempDir(), "forward", "enforce");
        forwardListener =
            new ForwardListener(
                forward.lc,
                forward.config.zone(forward.lc.zone()),
                host -> {
                  throw new UnknownHostException(host);
                });
      }
      return forwardListener;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path tempDir() throws IOException {
    Path dir = Files.createTempDirectory("sluice-intake-fuzz");
    dir.toFile().deleteOnExit();
    return dir;
  }

  @FuzzTest(maxDuration = "2m")
  void reverseIntakeAnswersOrCloses(byte[] data) {
    feed(listener("reverse"), data);
  }

  @FuzzTest(maxDuration = "2m")
  void forwardIntakeAnswersOrCloses(byte[] data) {
    feed(listener("forward"), data);
  }

  private static void feed(ChannelHandler listener, byte[] data) {
    int piece = data.length > 0 ? (data[0] & 0xFF) + 1 : 1;
    int from = Math.min(1, data.length);
    Client ch = new Client();
    ch.pipeline().addLast(listener);
    ch.pipeline().fireChannelActive();
    StringBuilder out = new StringBuilder();
    for (int at = from; at < data.length && ch.isOpen(); at += piece) {
      ch.writeInbound(Unpooled.copiedBuffer(data, at, Math.min(piece, data.length - at)));
      ch.runPendingTasks();
      ch.checkException();
      drain(ch, out);
    }
    // An admitted request waits for a grant from the store's thread: let one settle, briefly (only
    // when a request head may have ended, so that fuzzing does not wait on every partial head).
    int waits =
        new String(data, StandardCharsets.ISO_8859_1).contains("\n\r\n")
                || new String(data, StandardCharsets.ISO_8859_1).contains("\n\n")
            ? 100
            : 0;
    for (int i = 0; i < waits && ch.isOpen() && out.length() == 0; i++) {
      ch.runPendingTasks();
      ch.checkException();
      drain(ch, out);
      if (out.length() == 0) {
        Thread.onSpinWait();
        sleep();
      }
    }
    ch.finishAndReleaseAll();
    ch.checkException();
    if (out.length() > 0) {
      assertThat(out.toString()).startsWith("HTTP/1.");
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void drain(EmbeddedChannel ch, StringBuilder out) {
    Object o;
    while ((o = ch.readOutbound()) != null) {
      if (o instanceof ByteBuf b) {
        out.append(b.toString(StandardCharsets.ISO_8859_1));
        b.release();
      } else {
        throw new AssertionError("the pipeline wrote " + o.getClass().getName());
      }
    }
  }

  /** An accepted connection from 10.1.2.3, as the listener's {@code initChannel} expects. */
  private static final class Client extends EmbeddedChannel implements SocketChannel {
    private final SocketChannelConfig config;

    Client() {
      super(false, false);
      this.config = new DefaultSocketChannelConfig(this, new Socket());
      try {
        register();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public SocketChannelConfig config() {
      return config;
    }

    @Override
    public ServerSocketChannel parent() {
      return null;
    }

    @Override
    protected SocketAddress remoteAddress0() {
      return new InetSocketAddress("10.1.2.3", 40000);
    }

    @Override
    protected SocketAddress localAddress0() {
      return new InetSocketAddress("127.0.0.1", 8080);
    }

    @Override
    public InetSocketAddress remoteAddress() {
      return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
      return (InetSocketAddress) super.localAddress();
    }

    @Override
    public boolean isInputShutdown() {
      return !isOpen();
    }

    @Override
    public ChannelFuture shutdownInput() {
      return close();
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
      return close(promise);
    }

    @Override
    public boolean isOutputShutdown() {
      return !isOpen();
    }

    @Override
    public ChannelFuture shutdownOutput() {
      return close();
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
      return close(promise);
    }

    @Override
    public boolean isShutdown() {
      return !isOpen();
    }

    @Override
    public ChannelFuture shutdown() {
      return close();
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
      return close(promise);
    }
  }
}
