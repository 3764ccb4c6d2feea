package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinkCodecTest {

  private static final CodecModel MODEL = CodecModel.builtIn();

  @Test
  void manyStreamsInterleavedRoundTrip() throws Exception {
    LinkEncoder enc = new LinkEncoder(MODEL);
    LinkDecoder dec = new LinkDecoder(MODEL);
    Map<Integer, ByteArrayOutputStream> sent = new HashMap<>();
    Map<Integer, ByteArrayOutputStream> got = new HashMap<>();
    SplittableRandom rnd = new SplittableRandom(7);
    for (int id = 0; id < 5; id++) {
      enc.open(id);
      dec.open(id);
      sent.put(id, new ByteArrayOutputStream());
      got.put(id, new ByteArrayOutputStream());
    }
    for (int round = 0; round < 200; round++) {
      for (int id = 0; id < 5; id++) {
        if (rnd.nextInt(3) == 0) {
          byte[] ev =
              ("data: {\"choices\":[{\"delta\":{\"content\":\"w" + round + "\"}}]}\n\n")
                  .getBytes(StandardCharsets.UTF_8);
          assertThat(enc.write(id, ev, 0, ev.length)).isEqualTo(ev.length);
          sent.get(id).writeBytes(ev);
        }
      }
      LinkEncoder.Frame f = enc.frame();
      for (int id = 0; id < 5; id++) {
        f.add(id, rnd.nextInt(4) == 0 ? 10 : Long.MAX_VALUE);
      }
      if (rnd.nextInt(5) == 0 && f.streams().length > 0) {
        f.remove(f.streams()[0]);
      }
      long total = f.payloadSize() + 3L;
      long[] shares = f.shares(total);
      long sum = 0;
      for (long s : shares) {
        sum += s;
      }
      assertThat(sum).isEqualTo(f.streams().length == 0 ? 0 : total);
      byte[] payload = f.commit();
      dec.decode(payload, 0, payload.length, (id, b, off, len) -> got.get(id).write(b, off, len));
    }
    LinkEncoder.Frame f = enc.frame();
    for (int id = 0; id < 5; id++) {
      f.add(id, Long.MAX_VALUE);
    }
    byte[] payload = f.commit();
    dec.decode(payload, 0, payload.length, (id, b, off, len) -> got.get(id).write(b, off, len));
    for (int id = 0; id < 5; id++) {
      assertThat(got.get(id).toByteArray()).isEqualTo(sent.get(id).toByteArray());
      assertThat(dec.close(id)).isEqualTo(enc.close(id));
    }
  }

  @Test
  void discardRestartsTheStreamOnBothEnds() throws Exception {
    LinkEncoder enc = new LinkEncoder(MODEL);
    LinkDecoder dec = new LinkDecoder(MODEL);
    enc.open(3);
    dec.open(3);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] a = "data: {\"content\":\"hello\"}\n\n".getBytes(StandardCharsets.UTF_8);
    enc.write(3, a, 0, a.length);
    LinkEncoder.Frame f = enc.frame();
    f.add(3, Long.MAX_VALUE);
    byte[] p = f.commit();
    dec.decode(p, 0, p.length, (id, b, off, len) -> got.write(b, off, len));
    enc.write(3, a, 0, a.length);
    f = enc.frame();
    f.add(3, Long.MAX_VALUE); // modelled, then refused
    f.remove(3);
    f.abandon();
    enc.discard(3);
    byte[] deny = "HTTP/1.1 429 Too Many Requests\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    enc.writeRaw(3, deny, 0, deny.length);
    enc.write(3, a, 0, a.length);
    while (enc.pending(3) > 0) {
      f = enc.frame();
      f.add(3, Long.MAX_VALUE);
      p = f.commit();
      dec.decode(p, 0, p.length, (id, b, off, len) -> got.write(b, off, len));
    }
    ByteArrayOutputStream want = new ByteArrayOutputStream();
    want.writeBytes(a);
    want.writeBytes(deny);
    want.writeBytes(a);
    assertThat(got.toByteArray()).isEqualTo(want.toByteArray());
  }

  @Test
  void aStreamTheDecoderDoesNotKnowIsRefused() throws Exception {
    LinkEncoder enc = new LinkEncoder(MODEL);
    LinkDecoder dec = new LinkDecoder(MODEL);
    enc.open(1);
    byte[] a = "x".getBytes(StandardCharsets.US_ASCII);
    enc.write(1, a, 0, 1);
    LinkEncoder.Frame f = enc.frame();
    f.add(1, Long.MAX_VALUE);
    byte[] p = f.commit();
    assertThatThrownBy(() -> dec.decode(p, 0, p.length, (id, b, off, len) -> {}))
        .isInstanceOf(CodecFormatException.class)
        .hasMessageContaining("open");
  }

  @Test
  void sharesAddUpExactly() {
    long[] s = LinkEncoder.Shares.split(10, new long[] {1, 1, 1}, 3);
    assertThat(s).containsExactly(4, 3, 3);
    assertThat(LinkEncoder.Shares.split(7, new long[] {5, 0, 2}, 7)).containsExactly(5, 0, 2);
  }
}
