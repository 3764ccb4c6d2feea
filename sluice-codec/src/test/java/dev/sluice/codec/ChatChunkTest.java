package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ChatChunkTest {
  private static final DemoFraming.Meta META = DemoFraming.Meta.of(1, 2, "gpt-4o-2024-08-06");

  private static final String GOOD =
      "data: {\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
          + "\"model\":\"gpt-4o\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,"
          + "\"delta\":{\"content\":\" the\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n";

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Every event but {@code [DONE]} is recognised and serialises back to its exact bytes. */
  private static int assertRoundTrips(List<byte[]> events) {
    int n = 0;
    for (byte[] e : events.subList(0, events.size() - 1)) {
      ChatChunk c = ChatChunk.parse(e);
      assertThat(c).as("%s", new String(e, StandardCharsets.UTF_8)).isNotNull();
      assertThat(c.toBytes()).isEqualTo(e);
      n++;
    }
    assertThat(ChatChunk.parse(events.get(events.size() - 1))).isNull();
    return n;
  }

  @Test
  void splitsEnvelopeAndContent() {
    ChatChunk c = ChatChunk.parse(utf8(GOOD));
    assertThat(c).isNotNull();
    assertThat(c.content()).isEqualTo(" the");
    assertThat(c.envelope().id()).isEqualTo("chatcmpl-abc");
    assertThat(c.envelope().created()).isEqualTo(1_700_000_000L);
    assertThat(c.envelope().contentKind()).isEqualTo(ChatChunk.ContentKind.STRING);
    assertThat(c.envelope().finishReason()).isNull();
    assertThat(c.toBytes()).isEqualTo(utf8(GOOD));
    ChatChunk other = new ChatChunk(c.envelope(), " a\n\"b\"");
    assertThat(ChatChunk.parse(other.toBytes())).isEqualTo(other);
  }

  @Test
  void everyAsciiCharacterAndSomeUnicodeAsJacksonWritesThem() {
    for (char ch = 0; ch < 0x80; ch++) {
      assertRoundTrips(DemoFraming.events(META, "a" + ch + "b", false));
    }
    assertRoundTrips(DemoFraming.events(META, "é ü ß € 中文 😀 \u2028 \u007f \ufeff 𝔘 ﷽", true));
  }

  @Test
  void roleFinishAndUsageChunks() {
    List<byte[]> events = DemoFraming.events(META, "Hello, world!", true);
    assertThat(assertRoundTrips(events)).isEqualTo(events.size() - 1);
    ChatChunk role = ChatChunk.parse(events.get(0));
    assertThat(role.envelope().role()).isEqualTo("assistant");
    assertThat(role.envelope().usage()).isEqualTo("null");
    ChatChunk usage = ChatChunk.parse(events.get(events.size() - 2));
    assertThat(usage.envelope().hasChoice()).isFalse();
    assertThat(usage.envelope().usage()).startsWith("{\"prompt_tokens\":");
    ChatChunk finish = ChatChunk.parse(events.get(events.size() - 3));
    assertThat(finish.envelope().finishReason()).isEqualTo("stop");
    assertThat(finish.envelope().contentKind()).isEqualTo(ChatChunk.ContentKind.ABSENT);
  }

  @Test
  void everyEventOfRealCorpusStreams() throws Exception {
    assumeThat(Corpus.present()).as("shared corpus at %s", Corpus.dir()).isTrue();
    long events = 0;
    int streams = 0;
    List<Corpus.Answer> arena = Corpus.read(Corpus.ARENA_HARD);
    List<Corpus.Answer> alpaca = Corpus.read(Corpus.ALPACA);
    for (List<Corpus.Answer> answers : List.of(arena, alpaca.subList(0, 2000))) {
      for (Corpus.Answer a : answers) {
        DemoFraming.Meta meta = DemoFraming.Meta.of(3, streams, a.model());
        events += assertRoundTrips(DemoFraming.events(meta, a.text(), streams % 2 == 0));
        streams++;
      }
    }
    assertThat(streams).isEqualTo(3500);
    assertThat(events).isGreaterThan(500_000);
  }

  @Property(seed = "20261123", tries = 1000)
  void anyContentRoundTrips(@ForAll("text") String text, @ForAll boolean escapedSupplementary) {
    ChatChunk.Envelope e = ChatChunk.parse(utf8(GOOD)).envelope();
    e =
        new ChatChunk.Envelope(
            e.id(),
            e.created(),
            e.model(),
            e.hasFingerprint(),
            e.systemFingerprint(),
            e.hasChoice(),
            e.index(),
            e.role(),
            e.contentKind(),
            e.hasLogprobs(),
            e.finishReason(),
            e.usage(),
            escapedSupplementary
                && text.codePoints().anyMatch(Character::isSupplementaryCodePoint));
    ChatChunk c = new ChatChunk(e, text);
    byte[] b = c.toBytes();
    assertThat(ChatChunk.parse(b)).isEqualTo(c);
  }

  @Test
  void supplementaryCharactersRawOrEscapedButNotBoth() {
    String raw = GOOD.replace(" the", "😀");
    String escaped = GOOD.replace(" the", "\\uD83D\\uDE00");
    assertThat(ChatChunk.parse(utf8(raw)).envelope().escapedSupplementary()).isFalse();
    ChatChunk e = ChatChunk.parse(utf8(escaped));
    assertThat(e.envelope().escapedSupplementary()).isTrue();
    assertThat(e.content()).isEqualTo("😀");
    assertThat(ChatChunk.parse(utf8(GOOD.replace(" the", "😀\\uD83D\\uDE00")))).isNull();
    assertThat(ChatChunk.parse(utf8(GOOD.replace(" the", "\\uD83D\\uD83D")))).isNull();
    assertThat(ChatChunk.parse(utf8(GOOD.replace(" the", "\\uDE00")))).isNull();
    assertThat(ChatChunk.parse(utf8(GOOD.replace(" the", "\\ud83d\\ude00")))).isNull();
  }

  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(30).filter(ChatChunkTest::noLoneSurrogates),
        Arbitraries.strings()
            .withChars("\"\\\n\r\t\b\f\u0000\u001f/é😀 ab")
            .ofMaxLength(30)
            .filter(ChatChunkTest::noLoneSurrogates));
  }

  private static boolean noLoneSurrogates(String s) {
    return StandardCharsets.UTF_8.newEncoder().canEncode(s);
  }

  @Test
  void nearMissesAreNotRecognised() {
    String[][] edits = {
      {"\"content\":\" the\"", "\"content\": \" the\""}, // whitespace
      {"{\"id\"", "{ \"id\""},
      {"\"index\":0,", "\"index\":0 ,"},
      {
        "\"model\":\"gpt-4o\",\"system_fingerprint\":\"fp_1\"",
        "\"system_fingerprint\":\"fp_1\",\"model\":\"gpt-4o\""
      },
      {"\" the\"", "\"\\/the\""}, // an escape Jackson never writes
      {"\" the\"", "\"\\u0041\""},
      {"\" the\"", "\"\\u00e9\""},
      {"\" the\"", "\"\\u001f\""}, // lower-case hex
      {"\" the\"", "\"\\u000A\""}, // \n written long
      {"\" the\"", "\"\\x\""},
      {"\n\n", "\r\n\r\n"},
      {"\n\n", "\n"},
      {"data: ", "data:"},
      {"1700000000", "01700000000"},
      {"1700000000", "-1"},
      {"1700000000", "1.5"},
      {"\"logprobs\":null", "\"logprobs\":{\"content\":[]}"},
      {
        "\"finish_reason\":null}]",
        "\"finish_reason\":null},{\"index\":1,\"delta\":{},\"finish_reason\":null}]"
      },
      {",\"finish_reason\":null", ""},
      {
        "\"delta\":{\"content\":\" the\"}",
        "\"delta\":{\"content\":\" the\",\"role\":\"assistant\"}"
      },
      {"\"delta\":{\"content\":\" the\"}", "\"delta\":{\"content\":\" the\",\"refusal\":null}"},
      {"chat.completion.chunk", "chat.completion"},
      {"}]}\n\n", "}],\"obfuscation\":\"abc\"}\n\n"},
      {"}]}\n\n", "}],\"usage\":{\"a\": 1}}\n\n"},
      {"}]}\n\n", "}]}\n\n\n"},
      {"\"id\":\"chatcmpl-abc\"", "\"id\":null"},
    };
    assertThat(ChatChunk.parse(utf8(GOOD))).isNotNull();
    for (String[] e : edits) {
      assertThat(GOOD).contains(e[0]);
      String bad = GOOD.replace(e[0], e[1]);
      assertThat(ChatChunk.parse(utf8(bad))).as(bad).isNull();
    }
  }

  @Test
  void invalidUtf8IsNotRecognised() {
    byte[][] bad = {
      {(byte) 0xFF},
      {(byte) 0xC0, (byte) 0xAF},
      {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
      {(byte) 0xC3},
      {(byte) 0x80},
      {(byte) 0xE2, (byte) 0x82},
    };
    byte[] good = utf8(GOOD);
    int at = GOOD.indexOf(" the");
    for (byte[] b : bad) {
      byte[] e = new byte[good.length + b.length];
      System.arraycopy(good, 0, e, 0, at);
      System.arraycopy(b, 0, e, at, b.length);
      System.arraycopy(good, at, e, at + b.length, good.length - at);
      assertThat(ChatChunk.parse(e)).isNull();
    }
  }

  @Property(seed = "20261123", tries = 2000)
  void aMutatedEventIsRejectedOrReproducedExactly(
      @ForAll @IntRange(min = 0, max = 10_000) int where,
      @ForAll byte value,
      @ForAll boolean insert) {
    byte[] good = utf8(GOOD);
    int at = where % good.length;
    byte[] e;
    if (insert) {
      e = new byte[good.length + 1];
      System.arraycopy(good, 0, e, 0, at);
      e[at] = value;
      System.arraycopy(good, at, e, at + 1, good.length - at);
    } else {
      e = good.clone();
      e[at] = value;
    }
    ChatChunk c = ChatChunk.parse(e);
    if (c != null) {
      assertThat(c.toBytes()).isEqualTo(e);
    }
  }
}
