package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Encode/decode round trips, and every bit flip and truncation of a valid stream, and every
 * dropped, swapped or repeated frame, is rejected.
 */
class LinkFramePropertyTest {

  @Property(seed = "20260107", tries = 300)
  void roundTripAtRandomSplitPoints(@ForAll long seed) throws LinkFormatException {
    Random rnd = new Random(seed);
    Streams.Encoded s = Streams.random(rnd, 12, 3000);
    TreeSet<Integer> cuts = new TreeSet<>();
    int n = rnd.nextInt(8);
    for (int i = 0; i < n && s.bytes().length > 1; i++) {
      cuts.add(1 + rnd.nextInt(s.bytes().length - 1));
    }
    List<LinkMessage> got =
        Streams.decode(
            s.writer(),
            s.bytes(),
            cuts.stream().mapToInt(Integer::intValue).toArray(),
            new ArrayList<>());
    assertSame(got, s.messages());
  }

  @Property(seed = "20260107", tries = 100)
  void roundTripOneByteAtATime(@ForAll long seed) throws LinkFormatException {
    Streams.Encoded s = Streams.random(new Random(seed), 6, 300);
    int[] cuts = new int[s.bytes().length - 1];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = i + 1;
    }
    assertSame(Streams.decode(s.writer(), s.bytes(), cuts, new ArrayList<>()), s.messages());
  }

  @Property(seed = "20260107", tries = 30)
  void roundTripSplitInTwoAtEveryOffset(@ForAll long seed) throws LinkFormatException {
    Streams.Encoded s = Streams.random(new Random(seed), 5, 200);
    for (int cut = 1; cut < s.bytes().length; cut++) {
      assertSame(
          Streams.decode(s.writer(), s.bytes(), new int[] {cut}, new ArrayList<>()), s.messages());
    }
  }

  /** The bytes of frame {@code i} of {@code s}. */
  private static byte[] frame(Streams.Encoded s, int i) {
    long[] starts = s.frameStarts();
    int end = i + 1 < starts.length ? (int) starts[i + 1] : s.bytes().length;
    return Arrays.copyOfRange(s.bytes(), (int) starts[i], end);
  }

  /**
   * The magic and the frames of {@code s} in the order {@code order} (indexes, repeats allowed).
   */
  private static byte[] reassemble(Streams.Encoded s, int... order) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(s.bytes(), 0, 4);
    for (int i : order) {
      out.writeBytes(frame(s, i));
    }
    return out.toByteArray();
  }

  /**
   * Decodes {@code bytes} and checks it fails the CRC of the frame at {@code at}, which holds
   * {@code frame}, after exactly the messages of {@code before}.
   */
  private static void assertCrcFails(
      Streams.Encoded s, byte[] bytes, long at, byte[] frame, List<LinkMessage> before) {
    List<LinkMessage> got = new ArrayList<>();
    LinkFormatException e =
        catchThrowableOfType(
            LinkFormatException.class, () -> Streams.decode(s.writer(), bytes, new int[0], got));
    assertThat(e).isNotNull();
    assertThat(e.problem())
        .as(e.getMessage())
        .startsWith("CRC mismatch (a corrupted, missing or reordered frame): computed ");
    assertThat(e.frameOffset()).as(e.getMessage()).isEqualTo(at);
    assertThat(e.offset()).as(e.getMessage()).isEqualTo(at + frame.length - EdgeLink.TRAILER);
    assertSame(got, before);
  }

  private static int[] indexes(int n) {
    return IntStream.range(0, n).toArray();
  }

  @Property(seed = "20260107", tries = 100)
  void aDroppedFrameFailsTheCrcOfTheNextOne(@ForAll long seed) {
    Streams.Encoded s = Streams.random(new Random(seed), 8, 100);
    int frames = s.frameStarts().length;
    for (int drop = 0; drop < frames - 1; drop++) {
      int d = drop;
      int[] order = IntStream.range(0, frames).filter(i -> i != d).toArray();
      assertCrcFails(
          s,
          reassemble(s, order),
          s.frameStarts()[drop],
          frame(s, drop + 1),
          s.messages().subList(0, drop));
    }
  }

  @Property(seed = "20260107", tries = 100)
  void twoSwappedFramesFailTheCrc(@ForAll long seed) {
    Streams.Encoded s = Streams.random(new Random(seed), 8, 100);
    int frames = s.frameStarts().length;
    for (int i = 0; i + 1 < frames; i++) {
      int[] order = indexes(frames);
      order[i] = i + 1;
      order[i + 1] = i;
      assertCrcFails(
          s, reassemble(s, order), s.frameStarts()[i], frame(s, i + 1), s.messages().subList(0, i));
    }
  }

  @Property(seed = "20260107", tries = 100)
  void aRepeatedFrameFailsTheCrc(@ForAll long seed) {
    Streams.Encoded s = Streams.random(new Random(seed), 8, 100);
    int frames = s.frameStarts().length;
    // (after a stream's last frame, REFUSE or ERROR, a repeat is refused as bytes after it)
    for (int i = 0; i + 1 < frames; i++) {
      int[] order =
          IntStream.concat(IntStream.rangeClosed(0, i), IntStream.range(i, frames)).toArray();
      long at = s.frameStarts()[i] + frame(s, i).length;
      assertCrcFails(s, reassemble(s, order), at, frame(s, i), s.messages().subList(0, i + 1));
    }
  }

  @Property(seed = "20260107", tries = 40)
  void everySingleBitFlipIsRejectedInItsFrame(@ForAll long seed) {
    Streams.Encoded s = Streams.random(new Random(seed), 4, 40);
    byte[] b = s.bytes();
    for (int bit = 0; bit < b.length * 8; bit++) {
      byte[] flipped = b.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      List<LinkMessage> got = new ArrayList<>();
      LinkFormatException e =
          catchThrowableOfType(
              LinkFormatException.class,
              () -> Streams.decode(s.writer(), flipped, new int[0], got));
      long at = bit / 8;
      assertThat(e).as("flip of bit %d (byte %d) of %d bytes", bit % 8, at, b.length).isNotNull();
      assertThat(e.frameOffset()).as(e.getMessage()).isEqualTo(s.frameOf(at));
      assertThat(e.offset()).as(e.getMessage()).isBetween(s.frameOf(at), (long) b.length);
      // Nothing from the damaged frame or after it was delivered.
      int frame = s.indexOf(at);
      assertSame(got, s.messages().subList(0, Math.max(frame, 0)));
    }
  }

  @Property(seed = "20260107", tries = 40)
  void truncationAtEveryOffsetIsDetectedAtTheEnd(@ForAll long seed) {
    Streams.Encoded s = Streams.random(new Random(seed), 5, 60);
    byte[] b = s.bytes();
    for (int len = 0; len < b.length; len++) {
      byte[] prefix = java.util.Arrays.copyOf(b, len);
      List<LinkMessage> got = new ArrayList<>();
      LinkFormatException e =
          catchThrowableOfType(
              LinkFormatException.class, () -> Streams.decode(s.writer(), prefix, new int[0], got));
      boolean endedCleanly =
          len > 0
              && got.size() > 0
              && got.get(got.size() - 1) instanceof LinkMessage.End
              && got.size() < s.frameStarts().length
              && s.frameStarts()[got.size()] == len;
      if (endedCleanly) {
        // An END not followed by its optional ERROR: a complete stream.
        assertThat(e).isNull();
        continue;
      }
      assertThat(e).as("truncated to %d of %d bytes", len, b.length).isNotNull();
      assertThat(e.offset()).as(e.getMessage()).isEqualTo(len);
      assertThat(e.frameOffset()).as(e.getMessage()).isEqualTo(len == 0 ? 0 : s.frameOf(len));
      assertThat(e.getMessage()).contains(len < 4 ? "magic" : "truncated");
      assertSame(got, s.messages().subList(0, Math.max(s.indexOf(len), 0)));
    }
  }

  @Property(seed = "20260107", tries = 100)
  void trailingBytesAfterTheLastFrameAreRejected(@ForAll long seed) {
    Streams.Encoded s = Streams.random(new Random(seed), 3, 50);
    byte[] b = java.util.Arrays.copyOf(s.bytes(), s.bytes().length + 1);
    b[b.length - 1] = (byte) new Random(seed).nextInt();
    LinkFormatException e =
        catchThrowableOfType(
            LinkFormatException.class,
            () -> Streams.decode(s.writer(), b, new int[0], new ArrayList<>()));
    assertThat(e).isNotNull();
    // After END the byte may start an ERROR frame: then the stream is truncated inside it.
    assertThat(e.frameOffset()).as(e.getMessage()).isEqualTo(s.bytes().length);
    assertThat(e.offset()).as(e.getMessage()).isBetween((long) s.bytes().length, (long) b.length);
  }

  static void assertSame(List<LinkMessage> got, List<LinkMessage> expected) {
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i).sameAs(expected.get(i)))
          .as("message %d: %s vs %s", i, got.get(i), expected.get(i))
          .isTrue();
    }
  }
}
