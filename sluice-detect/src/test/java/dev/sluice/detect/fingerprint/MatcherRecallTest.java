package dev.sluice.detect.fingerprint;

import static dev.sluice.detect.fingerprint.Streams.ascii;
import static dev.sluice.detect.fingerprint.Streams.concat;
import static dev.sluice.detect.fingerprint.Streams.random;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import dev.sluice.detect.decode.ExpansionLimit;
import dev.sluice.detect.format.fixtures.RealModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every indexed 1 MiB slice of the real float32 model, cut at a seeded random offset, is found
 * however it travels: as is, base64 (MIME line breaks or URL-safe, each of the 3 byte phases), hex
 * (both cases, both nibble phases), in a tar or stored zip among other files, and behind gzip,
 * deflate, zstd and br. Streams are fed in seeded random pieces of up to 64 KiB, as a network stage
 * would. The recall of each way is printed; the test asserts all slices are found. Every way runs
 * as the gateway matches (the default anchored index, one offset in 8 tested, each slice with its
 * own seed); three ways also with every offset tested (the offline scan) and on a version 1 index
 * of content-defined chunks.
 */
class MatcherRecallTest {

  static final int SLICE = 1 << 20;
  static final int SLICES = 24;

  /**
   * A stream carrying a slice: its bytes, its Content-Encoding, where the slice is (-1: encoded).
   */
  record Body(byte[] bytes, String encoding, long slicePos) {}

  enum Way {
    PLAIN {
      Body wrap(Random r, byte[] s, int i) {
        byte[] before = random(r, r.nextInt(65536));
        return new Body(concat(before, s, random(r, r.nextInt(65536))), null, before.length);
      }
    },
    BASE64_MIME {
      Body wrap(Random r, byte[] s, int i) {
        String b64 = Base64.getMimeEncoder().encodeToString(concat(random(r, i % 3), s));
        return new Body(ascii("{\"id\": 7, \"blob\": \"" + b64 + "\"}\n"), null, -1);
      }
    },
    BASE64_URL {
      Body wrap(Random r, byte[] s, int i) {
        String b64 =
            Base64.getUrlEncoder().withoutPadding().encodeToString(concat(random(r, i % 3), s));
        return new Body(ascii("GET /upload?d=" + b64 + " HTTP/1.1\r\n"), null, -1);
      }
    },
    HEX {
      Body wrap(Random r, byte[] s, int i) {
        HexFormat f = i % 2 == 0 ? HexFormat.of() : HexFormat.of().withUpperCase();
        // odd slices: a stray digit glued before the run puts the bytes at the odd nibble phase
        String stray = i % 4 < 2 ? "" : "7";
        return new Body(ascii("data: " + stray + f.formatHex(s) + "\n"), null, -1);
      }
    },
    TAR {
      Body wrap(Random r, byte[] s, int i) {
        byte[] tar =
            Streams.tar(
                new String[] {"notes.txt", "model/shard-" + i + ".bin", "other.bin"},
                new byte[][] {ascii("eval results\n".repeat(100 + i)), s, random(r, 200_000)});
        return new Body(tar, null, Streams.indexOf(tar, s));
      }
    },
    STORED_ZIP {
      Body wrap(Random r, byte[] s, int i) {
        byte[] zip =
            Streams.storedZip(
                new String[] {"README", "w/" + i + ".bin", "x.bin"},
                new byte[][] {ascii("hello\n".repeat(i + 1)), s, random(r, 100_000)});
        return new Body(zip, null, Streams.indexOf(zip, s));
      }
    },
    GZIP {
      Body wrap(Random r, byte[] s, int i) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
          z.write(random(r, r.nextInt(4096)));
          z.write(s);
        }
        return new Body(b.toByteArray(), "gzip", -1);
      }
    },
    DEFLATE {
      Body wrap(Random r, byte[] s, int i) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(b)) {
          z.write(s);
        }
        return new Body(b.toByteArray(), "deflate", -1);
      }
    },
    ZSTD {
      Body wrap(Random r, byte[] s, int i) {
        return new Body(Zstd.compress(concat(random(r, 1000), s), 3), "zstd", -1);
      }
    },
    BROTLI {
      Body wrap(Random r, byte[] s, int i) throws IOException {
        com.aayushatharva.brotli4j.Brotli4jLoader.ensureAvailability();
        return new Body(
            com.aayushatharva.brotli4j.encoder.Encoder.compress(
                s, new com.aayushatharva.brotli4j.encoder.Encoder.Parameters().setQuality(5)),
            "br",
            -1);
      }
    },
    GZIP_BASE64 {
      Body wrap(Random r, byte[] s, int i) throws IOException {
        byte[] json = ascii("{\"w\":\"" + Base64.getEncoder().encodeToString(s) + "\"}");
        return GZIP.wrap(r, json, i);
      }
    };

    abstract Body wrap(Random r, byte[] slice, int i) throws IOException;
  }

  /** How the index was built and which offsets the matcher tests. */
  enum Mode {
    GATEWAY,
    EVERY_OFFSET,
    CHUNKS_V1
  }

  static Stream<Arguments> ways() {
    Stream<Arguments> gateway = Arrays.stream(Way.values()).map(w -> Arguments.of(Mode.GATEWAY, w));
    Stream<Arguments> others =
        Stream.of(Mode.EVERY_OFFSET, Mode.CHUNKS_V1)
            .flatMap(
                mode ->
                    Stream.of(Way.PLAIN, Way.BASE64_MIME, Way.GZIP)
                        .map(w -> Arguments.of(mode, w)));
    return Stream.concat(gateway, others);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("ways")
  void everyIndexedSliceIsFound(Mode mode, Way way) throws IOException {
    IndexedModel m = mode == Mode.CHUNKS_V1 ? IndexedModel.chunked() : IndexedModel.FP32;
    Random r = new Random(way.ordinal() * 1000L + 17);
    int found = 0;
    List<String> missed = new ArrayList<>();
    for (int i = 0; i < SLICES; i++) {
      long start =
          m.tensorsStart() + (long) (r.nextDouble() * (m.tensorsEnd() - m.tensorsStart() - SLICE));
      byte[] slice = Arrays.copyOfRange(m.bytes, (int) start, (int) start + SLICE);
      Body body = way.wrap(r, slice, i);
      List<Match> early = new ArrayList<>();
      AnchorSampling sampling =
          mode == Mode.GATEWAY
              ? new AnchorSampling(AnchorSampling.GATEWAY_STRIDE, way.ordinal() * 1000L + i)
              : AnchorSampling.EVERY_OFFSET;
      FingerprintMatcher matcher =
          FingerprintMatcher.forBody(
              m.index, body.encoding(), ExpansionLimit.DEFAULT, sampling, early::add);
      int at = 0;
      while (at < body.bytes().length) {
        int n = Math.min(body.bytes().length - at, 1 + r.nextInt(65536));
        matcher.feed(body.bytes(), at, n);
        at += n;
      }
      matcher.end();
      assertThat(matcher.decodeFailure()).isNull();
      boolean hit = false;
      for (Match x : matcher.matches()) {
        assertThat(x.file().name()).isEqualTo(RealModels.FP32);
        assertThat(x.sourceOffset()).isBetween(start, start + SLICE - 1);
        assertThat(x.sourceOffset() + x.length()).isLessThanOrEqualTo(start + SLICE);
        assertThat(x.streamOffset()).isBetween(0L, (long) body.bytes().length);
        if (body.slicePos() >= 0 && x.lane().equals("raw")) {
          assertThat(x.streamOffset()).isEqualTo(body.slicePos() + (x.sourceOffset() - start));
        }
        hit = true;
      }
      assertThat(early).hasSize((int) matcher.matchCount());
      if (hit) {
        found++;
      } else {
        missed.add("slice " + i + " at " + start);
      }
    }
    System.out.println(
        "recall " + mode + " " + way + ": " + found + "/" + SLICES + " slices of 1 MiB");
    assertThat(missed).isEmpty();
  }
}
