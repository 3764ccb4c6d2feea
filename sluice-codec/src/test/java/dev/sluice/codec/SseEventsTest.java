package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SseEventsTest {

  /** A piece handed to the sink. */
  record Piece(SseEvents.Kind kind, byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Piece p && p.kind == kind && Arrays.equals(p.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return kind.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return kind
          + ":"
          + new String(bytes, StandardCharsets.ISO_8859_1)
              .replace("\r", "\\r")
              .replace("\n", "\\n");
    }
  }

  /** The word-at-a-time line-break search finds what a byte-by-byte scan finds. */
  @Property
  void lineBreakMatchesAByteScan(
      @ForAll("lineBytes") byte[] b, @ForAll @IntRange(max = 40) int from) {
    assumeThat(from).isLessThanOrEqualTo(b.length);
    int expected = from;
    while (expected < b.length && b[expected] != '\n' && b[expected] != '\r') {
      expected++;
    }
    assertThat(SseEvents.lineBreak(b, from, b.length)).isEqualTo(expected);
  }

  /**
   * Bytes where line breaks, their neighbours (0x09, 0x0b, 0x0c, 0x0e) and high bytes are common.
   */
  @Provide
  Arbitrary<byte[]> lineBytes() {
    return Arbitraries.frequencyOf(
            Tuple.of(20, Arbitraries.bytes()),
            Tuple.of(1, Arbitraries.of((byte) '\n', (byte) '\r')),
            Tuple.of(3, Arbitraries.of((byte) 0x09, (byte) 0x0b, (byte) 0x0c, (byte) 0x0e)),
            Tuple.of(3, Arbitraries.of((byte) 0x8a, (byte) 0x8d, (byte) 0x01, (byte) 0x00)))
        .array(byte[].class)
        .ofMaxSize(80);
  }

  /** Splits {@code input}, fed in slices that end at {@code cuts} (sorted offsets). */
  static List<Piece> split(byte[] input, int[] cuts, int maxEvent) {
    List<Piece> out = new ArrayList<>();
    SseEvents s =
        new SseEvents(
            (k, b, off, len) -> out.add(new Piece(k, Arrays.copyOfRange(b, off, off + len))),
            maxEvent);
    int from = 0;
    for (int c : cuts) {
      s.feed(input, from, c - from);
      from = c;
    }
    s.feed(input, from, input.length - from);
    s.finish();
    return out;
  }

  static List<Piece> split(byte[] input) {
    return split(input, new int[0], SseEvents.DEFAULT_MAX_EVENT);
  }

  static byte[] concat(List<Piece> pieces) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    pieces.forEach(p -> b.writeBytes(p.bytes()));
    return b.toByteArray();
  }

  static int[] oneByteCuts(int n) {
    int[] c = new int[Math.max(0, n - 1)];
    for (int i = 0; i < c.length; i++) {
      c[i] = i + 1;
    }
    return c;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The shape every split must have, whatever the input. */
  static void assertWellFormed(byte[] input, List<Piece> pieces) {
    assertThat(concat(pieces)).isEqualTo(input);
    for (int i = 0; i < pieces.size(); i++) {
      Piece p = pieces.get(i);
      assertThat(p.bytes()).isNotEmpty();
      if (p.kind() == SseEvents.Kind.REMAINDER) {
        assertThat(i).isEqualTo(pieces.size() - 1);
      }
      if (p.kind() == SseEvents.Kind.EVENT
          && !(i > 0 && pieces.get(i - 1).kind() == SseEvents.Kind.FRAGMENT)) {
        assertThat(endsWithBlankLine(p.bytes())).as("event %s", p).isTrue();
      }
    }
  }

  /** Whether {@code b} ends with a line terminator that ends an empty line. */
  static boolean endsWithBlankLine(byte[] b) {
    int n = b.length;
    int end; // start of the last terminator
    if (n >= 2 && b[n - 2] == '\r' && b[n - 1] == '\n') {
      end = n - 2;
    } else if (n >= 1 && (b[n - 1] == '\n' || b[n - 1] == '\r')) {
      end = n - 1;
    } else {
      return false;
    }
    return end == 0 || b[end - 1] == '\n' || b[end - 1] == '\r';
  }

  @Test
  void openAiEvents() {
    byte[] in = ascii("data: {\"a\":1}\n\ndata: [DONE]\n\n");
    assertThat(split(in))
        .containsExactly(
            new Piece(SseEvents.Kind.EVENT, ascii("data: {\"a\":1}\n\n")),
            new Piece(SseEvents.Kind.EVENT, ascii("data: [DONE]\n\n")));
  }

  @Test
  void everyLineEndingCommentsAndUnusualFields() {
    String[] events = {
      ": keep-alive\r\n\r\n",
      "event: x\rdata:no space\r\r",
      "id: 7\nretry: 100\nweird field\ndata\n\n",
      "data: a\r\n\n",
      "data: b\n\r\n",
      "\n",
      "\r\n",
      "\r",
    };
    byte[] in = ascii(String.join("", events));
    List<Piece> whole = split(in);
    assertThat(whole.stream().map(p -> new String(p.bytes(), StandardCharsets.ISO_8859_1)))
        .containsExactly(events);
    assertThat(split(in, oneByteCuts(in.length), SseEvents.DEFAULT_MAX_EVENT)).isEqualTo(whole);
  }

  @Test
  void aCrEndingABlankLineWaitsForTheNextByte() {
    List<Piece> out = new ArrayList<>();
    SseEvents s =
        new SseEvents(
            (k, b, off, len) -> out.add(new Piece(k, Arrays.copyOfRange(b, off, off + len))));
    s.feed(ascii("data: x\r\n\r"));
    assertThat(out).isEmpty();
    assertThat(s.held()).isEqualTo(10);
    s.feed(ascii("\n"));
    assertThat(out).containsExactly(new Piece(SseEvents.Kind.EVENT, ascii("data: x\r\n\r\n")));
  }

  @Test
  void theTailIsARemainderAndAFinalCrCompletesAnEvent() {
    assertThat(split(ascii("data: x\n\ndata: y\n")))
        .containsExactly(
            new Piece(SseEvents.Kind.EVENT, ascii("data: x\n\n")),
            new Piece(SseEvents.Kind.REMAINDER, ascii("data: y\n")));
    assertThat(split(ascii("data: y\r\r")))
        .containsExactly(new Piece(SseEvents.Kind.EVENT, ascii("data: y\r\r")));
    assertThat(split(new byte[0])).isEmpty();
  }

  @Test
  void aLongEventComesInFragments() {
    byte[] in = ascii("data: 0123456789\n\ndata: z\n\n");
    assertThat(split(in, new int[0], 10))
        .containsExactly(
            new Piece(SseEvents.Kind.FRAGMENT, ascii("data: 0123")),
            new Piece(SseEvents.Kind.EVENT, ascii("456789\n\n")),
            new Piece(SseEvents.Kind.EVENT, ascii("data: z\n\n")));
  }

  @Property(seed = "20261123", tries = 500)
  void randomBytesInRandomSlices(
      @ForAll @Size(max = 600) byte[] input,
      @ForAll("cuts") List<Integer> cutFractions,
      @ForAll @IntRange(min = 1, max = 64) int maxEvent) {
    int[] cuts = cuts(input.length, cutFractions);
    List<Piece> sliced = split(input, cuts, maxEvent);
    assertThat(concat(sliced)).isEqualTo(input);
    assertThat(sliced).isEqualTo(split(input, new int[0], maxEvent));
    assertWellFormed(input, split(input));
    assertThat(split(input, oneByteCuts(input.length), SseEvents.DEFAULT_MAX_EVENT))
        .isEqualTo(split(input));
  }

  @Property(seed = "20261123", tries = 500)
  void randomLineBreakHeavyBytes(
      @ForAll("crlfHeavy") byte[] input, @ForAll("cuts") List<Integer> cutFractions) {
    List<Piece> whole = split(input);
    assertWellFormed(input, whole);
    assertThat(split(input, cuts(input.length, cutFractions), SseEvents.DEFAULT_MAX_EVENT))
        .isEqualTo(whole);
  }

  @Property(seed = "20261123", tries = 300)
  void randomValidSse(
      @ForAll("sse") List<String> events, @ForAll("cuts") List<Integer> cutFractions) {
    byte[] input = ascii(String.join("", events));
    List<Piece> whole = split(input);
    assertThat(whole.stream().map(p -> new String(p.bytes(), StandardCharsets.ISO_8859_1)).toList())
        .isEqualTo(events);
    assertThat(whole).allMatch(p -> p.kind() == SseEvents.Kind.EVENT);
    assertThat(split(input, cuts(input.length, cutFractions), SseEvents.DEFAULT_MAX_EVENT))
        .isEqualTo(whole);
  }

  @Test
  void everySplitOffsetOfRealStreams() throws Exception {
    assumeThat(Corpus.present()).as("shared corpus at %s", Corpus.dir()).isTrue();
    List<Corpus.Answer> answers = Corpus.read(Corpus.ARENA_HARD);
    int done = 0;
    for (int i = 0; i < answers.size() && done < 3; i++) {
      String text = answers.get(i).text();
      if (text.length() < 80 || text.length() > 400) {
        continue;
      }
      byte[] stream = RealStreams.stream(7, i, answers.get(i).model(), text, done == 1);
      if (done == 2) {
        stream = ascii(new String(stream, StandardCharsets.ISO_8859_1).replace("\n", "\r\n"));
      }
      List<Piece> whole = split(stream);
      assertWellFormed(stream, whole);
      assertThat(whole).allMatch(p -> p.kind() == SseEvents.Kind.EVENT);
      for (int cut = 0; cut <= stream.length; cut++) {
        assertThat(split(stream, new int[] {cut}, SseEvents.DEFAULT_MAX_EVENT)).isEqualTo(whole);
      }
      assertThat(split(stream, oneByteCuts(stream.length), SseEvents.DEFAULT_MAX_EVENT))
          .isEqualTo(whole);
      done++;
    }
    assertThat(done).isEqualTo(3);
  }

  private static int[] cuts(int n, List<Integer> fractions) {
    return fractions.stream().mapToInt(f -> (int) ((long) f * n / 1000)).sorted().toArray();
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 1000).list().ofMaxSize(12);
  }

  @Provide
  Arbitrary<byte[]> crlfHeavy() {
    return Arbitraries.of((byte) '\r', (byte) '\n', (byte) 'a', (byte) ':', (byte) 0xff, (byte) ' ')
        .list()
        .ofMaxSize(80)
        .map(
            l -> {
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = l.get(i);
              }
              return b;
            });
  }

  /** Events of the standard's grammar, each ending with a blank line, in every line ending. */
  @Provide
  Arbitrary<List<String>> sse() {
    Arbitrary<String> eol = Arbitraries.of("\n", "\r\n", "\r");
    Arbitrary<String> value =
        Arbitraries.strings()
            .withChars("abc {}\":é€😀\t")
            .ofMaxLength(20)
            .map(s -> new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    Arbitrary<String> field =
        Arbitraries.of(
            "data: ", "data:", "event: ", "id: ", "retry: ", ": ", ":", "x-odd: ", "data");
    // One line ending per event: a lone \r before a \n would read as one \r\n.
    Arbitrary<String> event =
        Combinators.combine(
                Combinators.combine(field, value).as((f, v) -> f + v).list().ofMaxSize(4), eol)
            .as((ls, e) -> String.join("", ls.stream().map(l -> l + e).toList()) + e);
    // An event ending in \r followed by one starting with \n would read as one \r\n: not valid.
    return event
        .list()
        .ofMaxSize(8)
        .filter(
            l -> {
              for (int i = 1; i < l.size(); i++) {
                if (l.get(i - 1).endsWith("\r") && l.get(i).startsWith("\n")) {
                  return false;
                }
              }
              return true;
            });
  }
}
