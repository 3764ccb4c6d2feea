package dev.sluice.gateway.edge;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.forward.NoLeaks;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's multiplexer on an embedded channel, with a manual clock and scheduler ({@link
 * MuxHarness}): the flush window, the first bytes of a response at once, many streams in one frame,
 * exact charges, waits for escrow, a refused stream left alone, flow control.
 */
@Timeout(60)
@ExtendWith(NoLeaks.class)
class GatewayMuxTest {

  private static final Duration WINDOW = Duration.ofMillis(30);

  @TempDir Path dir;
  private MuxHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
  }

  private static String event(int k) {
    return "data: {\"choices\":[{\"delta\":{\"content\":\" word" + k + "\"}}]}\n\n";
  }

  /** Opens {@code n} streams of beta and gets each one's first bytes out (escrow funded). */
  private MuxHarness.App[] started(int n) {
    h.handshake();
    MuxHarness.App[] apps = new MuxHarness.App[n];
    for (int i = 0; i < n; i++) {
      apps[i] = h.open(i, 1 << 20, "beta");
      MuxHarness.App a = apps[i];
      int id = i;
      a.write("HTTP/1.1 200 OK\r\n\r\n");
      h.await(() -> h.received(id).startsWith("HTTP/1.1 200"));
    }
    return apps;
  }

  @Test
  void theFirstBytesOfAResponseGoAtOnce() throws Exception {
    h = new MuxHarness(dir, "100MB", WINDOW, "enforce");
    MuxHarness.App[] a = started(1);
    assertThat(h.frames()).isEqualTo(1); // no clock advance was needed
    // Idle for a window: the next response's first bytes go at once too.
    h.advance(WINDOW);
    int before = h.frames();
    a[0].write(event(1));
    h.pump();
    assertThat(h.frames()).isEqualTo(before + 1);
  }

  @Test
  void theNextAnswerOnAKeepAliveStreamGoesAtOnceAfterItsRequest() throws Exception {
    h = new MuxHarness(dir, "100MB", WINDOW, "enforce");
    MuxHarness.App[] a = started(1);
    a[0].send(event(1)); // the last event of an answer, less than a window after the head
    h.pump();
    int before = h.frames();
    h.advance(WINDOW);
    assertThat(h.frames()).isEqualTo(before + 1);
    // The client asks again at once, well within a window of that frame.
    h.advance(WINDOW.dividedBy(3));
    byte[] request = "POST /v1/chat/completions HTTP/1.1\r\n\r\n".getBytes(UTF_8);
    h.edge(new MuxMessage.Data(0, request));
    h.await(() -> a[0].in.size() == request.length);
    int asked = h.frames();
    a[0].send("HTTP/1.1 200 OK\r\n\r\n" + event(2));
    h.pump();
    assertThat(h.frames()).as("the answer's first bytes at once").isEqualTo(asked + 1);
    a[0].send(event(3));
    h.pump();
    assertThat(h.frames()).as("its next event waits for the window").isEqualTo(asked + 1);
    h.advance(WINDOW);
    assertThat(h.frames()).isEqualTo(asked + 2);
  }

  @Test
  void eventsOfManyStreamsWaitForTheWindowAndShareOneFrame() throws Exception {
    h = new MuxHarness(dir, "100MB", WINDOW, "enforce");
    MuxHarness.App[] a = started(5);
    int before = h.frames();
    for (int k = 0; k < 3; k++) {
      for (MuxHarness.App app : a) {
        app.send(event(k)); // each stream sent something less than a window ago
      }
      h.pump();
      assertThat(h.frames()).as("nothing before the window").isEqualTo(before);
      h.advance(WINDOW.dividedBy(3));
    }
    h.advance(WINDOW);
    assertThat(h.frames()).isEqualTo(before + 1);
    // One frame was written in the window, and every stream got all three events from it.
    for (int i = 0; i < 5; i++) {
      assertThat(h.received(i))
          .isEqualTo("HTTP/1.1 200 OK\r\n\r\n" + event(0) + event(1) + event(2));
    }
  }

  @Test
  void aZeroWindowSendsAtEveryFlush() throws Exception {
    h = new MuxHarness(dir, "100MB", Duration.ZERO, "enforce");
    MuxHarness.App[] a = started(2);
    int before = h.frames();
    a[0].send(event(1));
    a[1].send(event(2));
    h.pump();
    assertThat(h.frames()).isEqualTo(before + 2);
  }

  @Test
  void everyByteWrittenWasChargedBeforeExactly() throws Exception {
    h = new MuxHarness(dir, "100MB", WINDOW, "enforce");
    MuxHarness.App[] a = started(4);
    for (int k = 0; k < 50; k++) {
      a[k % 4].send(event(k));
      h.advance(Duration.ofMillis(7));
    }
    h.advance(WINDOW);
    h.edge(new MuxMessage.Ping(7));
    h.await(() -> !h.messagesOfType(MuxType.PONG).isEmpty());
    assertThat(h.charged()).isEqualTo(h.bytesOut);
    assertThat(h.linkMeter.prepaidLeft()).isZero();
    assertThat(h.linkMeter.unforeseen()).isZero();
    assertThat(h.stats.edge().overcharged.sum()).isZero();
  }

  @Test
  void aStreamWaitingForEscrowIsLeftOutAndTheOthersGo() throws Exception {
    h = new MuxHarness(dir, "100MB", WINDOW, "enforce");
    MuxHarness.App[] a = started(2);
    // gamma has no escrow yet: its first share waits for a refill, beta's goes.
    MuxHarness.App g = h.open(7, 1 << 20, "gamma");
    g.write("HTTP/1.1 200 OK\r\n\r\n");
    a[0].send(event(1));
    h.advance(WINDOW);
    h.await(() -> h.received(0).endsWith(event(1)));
    h.await(() -> h.received(7).equals("HTTP/1.1 200 OK\r\n\r\n"));
    assertThat(h.stats.edge().escrowWaits.sum()).isPositive();
    assertThat(h.charged()).isEqualTo(h.bytesOut);
  }

  @Test
  void aRefusedStreamIsAnsweredAloneAndTheOthersAreUntouched() throws Exception {
    h = new MuxHarness(dir, "2KB", Duration.ZERO, "enforce");
    MuxHarness.App[] a = started(2);
    MuxHarness.App acme = h.open(9, 1 << 20, "acme");
    StringBuilder big = new StringBuilder("HTTP/1.1 200 OK\r\n\r\n");
    java.util.Random rnd = new java.util.Random(5);
    for (int i = 0; i < 6000; i++) {
      big.append((char) ('a' + rnd.nextInt(26))); // barely compressible: more than 2 KB on the wire
    }
    acme.write(big.toString());
    try {
      h.await(() -> acme.inactive);
      h.await(() -> !h.messagesOfType(MuxType.END).isEmpty());
    } catch (AssertionError e) {
      throw new AssertionError(
          h.messages + " received " + h.received(9) + " refusal " + acme.refusal, e);
    }
    assertThat(acme.refusal).isNotNull();
    assertThat(acme.refusal.label()).isEqualTo("egress_budget_exhausted");
    assertThat(h.received(9)).isEqualTo("HTTP/1.1 429 Too Many\r\n\r\n");
    a[0].send(event(3));
    a[1].send(event(4));
    h.advance(WINDOW);
    h.await(() -> h.received(1).endsWith(event(4)));
    assertThat(h.received(0)).isEqualTo("HTTP/1.1 200 OK\r\n\r\n" + event(3));
    assertThat(h.messagesOfType(MuxType.ERROR)).isEmpty();
    assertThat(h.charged()).isEqualTo(h.bytesOut);
  }

  @Test
  void aStreamSendsNoMoreThanItsCreditAndTheRestAfterAWindow() throws Exception {
    h = new MuxHarness(dir, "100MB", Duration.ZERO, "enforce");
    h.handshake();
    MuxHarness.App a = h.open(3, 100, "beta");
    String body = "x".repeat(1000);
    a.write(body);
    h.await(() -> h.received(3).length() == 100);
    h.advance(WINDOW);
    assertThat(h.received(3)).hasSize(100);
    h.edge(new MuxMessage.Window(3, 900));
    h.await(() -> h.received(3).length() == 1000);
    assertThat(h.received(3)).isEqualTo(body);
  }

  @Test
  void upwardBytesBeyondTheWindowEndTheLink() throws Exception {
    h = new MuxHarness(dir, "100MB", WINDOW, "enforce");
    MuxAccept accept = h.handshake();
    MuxHarness.App a = h.open(1, 1000, "beta");
    h.edge(new MuxMessage.Data(1, new byte[accept.window()]));
    h.await(() -> a.in.size() == accept.window());
    // The app read it all: a WINDOW came back, so this much more is fine.
    h.await(() -> !h.messagesOfType(MuxType.WINDOW).isEmpty());
    int granted = ((MuxMessage.Window) h.messagesOfType(MuxType.WINDOW).get(0)).increment();
    h.edge(new MuxMessage.Data(1, new byte[granted + 1]));
    h.await(() -> !h.messagesOfType(MuxType.ERROR).isEmpty());
    assertThat(((MuxMessage.Error) h.messagesOfType(MuxType.ERROR).get(0)).reason())
        .contains("beyond its window");
    assertThat(a.inactive).isTrue();
  }

  @Test
  void aResetFromTheEdgeClosesTheStreamAndIsConfirmed() throws Exception {
    h = new MuxHarness(dir, "100MB", WINDOW, "enforce");
    MuxHarness.App[] a = started(2);
    h.edge(new MuxMessage.Reset(0, MuxMessage.ResetCode.CANCEL, "client gone"));
    h.await(() -> a[0].inactive && !h.messagesOfType(MuxType.RESET).isEmpty());
    a[1].send(event(1));
    h.advance(WINDOW);
    h.await(() -> h.received(1).endsWith(event(1)));
  }
}
