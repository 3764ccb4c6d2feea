package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.edge.LinkMessage.Accept;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import dev.sluice.gateway.edge.LinkMessage.RefuseCode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeTest {

  private static byte[] model(int b) {
    byte[] m = new byte[32];
    Arrays.fill(m, (byte) b);
    return m;
  }

  @Test
  void acceptsTheHighestCommonVersionAndTheGatewaysPreferredCodec() {
    Handshake gateway = new Handshake(List.of(1, 2, 3), List.of(7, 0), model(5));
    Hello hello = new Handshake(List.of(2, 3, 9), List.of(0, 7), model(5)).hello("10.0.0.1:5");
    LinkMessage answer = gateway.answer(hello);
    assertThat(answer).isInstanceOf(Accept.class);
    Accept a = (Accept) answer;
    assertThat(a.version()).isEqualTo(3);
    assertThat(a.codec()).isEqualTo(7);
    assertThat(Handshake.check(hello, a)).isNull();
  }

  @Test
  void refusesWithoutACommonVersion() {
    Hello hello = new Handshake(List.of(2, 3), List.of(0), model(0)).hello("");
    Refuse r = (Refuse) Handshake.identity().answer(hello);
    assertThat(r.code()).isEqualTo(RefuseCode.VERSION);
    assertThat(r.reason())
        .isEqualTo("no common protocol version: the edge speaks [2, 3], the gateway [1]");
  }

  @Test
  void refusesADifferentModelEvenIfTheIdentityCodecWouldDo() {
    Handshake gateway = new Handshake(List.of(1), List.of(1, 0), model(0xAB));
    Hello hello = new Handshake(List.of(1), List.of(0, 1), model(0xCD)).hello("");
    Refuse r = (Refuse) gateway.answer(hello);
    assertThat(r.code()).isEqualTo(RefuseCode.MODEL);
    assertThat(r.reason())
        .isEqualTo(
            "codec model mismatch: the edge loaded model cdcdcdcdcdcdcdcd…, the gateway model"
                + " abababababababab…; load the same model file on both");
    Refuse none = (Refuse) gateway.answer(Handshake.identity().hello(""));
    assertThat(none.reason()).startsWith("codec model mismatch: the edge loaded no model,");
  }

  @Test
  void refusesWithoutACommonCodec() {
    Refuse r =
        (Refuse)
            Handshake.identity().answer(new Handshake(List.of(1), List.of(4), model(0)).hello(""));
    assertThat(r.code()).isEqualTo(RefuseCode.CODEC);
    assertThat(r.reason()).isEqualTo("no common codec: the edge offers [4], the gateway [0]");
  }

  @Test
  void theEdgeRejectsAnAnswerItDidNotOffer() {
    Hello hello = Handshake.identity().hello("");
    assertThat(Handshake.check(hello, Accept.of(2, 0, model(0))))
        .isEqualTo("the gateway chose version 2, not offered [1]");
    assertThat(Handshake.check(hello, Accept.of(1, 3, model(0))))
        .isEqualTo("the gateway chose codec 3, not offered [0]");
    assertThat(Handshake.check(hello, Accept.of(1, 0, model(1))))
        .startsWith("codec model mismatch: the edge loaded no model, the gateway model 0101");
  }
}
