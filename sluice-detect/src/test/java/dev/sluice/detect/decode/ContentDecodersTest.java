package dev.sluice.detect.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class ContentDecodersTest {

  private static byte[] sample() {
    // half random, half text: compressible but not trivially
    byte[] b = new byte[400_000];
    new Random(1).nextBytes(b);
    byte[] text = "weights are not text; text is not weights. ".repeat(5000).getBytes();
    System.arraycopy(text, 0, b, 200_000, 200_000);
    return b;
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(bytes)) {
      z.write(data);
    }
    return bytes.toByteArray();
  }

  private static byte[] decode(String encoding, byte[] body, ExpansionLimit limit, Collect out) {
    Decoder d = ContentEncodings.decoder(encoding, out, limit);
    Collect.feed(d, body, new Random(body.length), 20_000);
    return out.toByteArray();
  }

  @Test
  void gzipMembersWithAFileNameAndTheirTrailersAreDecoded() throws IOException {
    byte[] data = sample();
    byte[] one = gzip(data);
    // a member with FNAME set: flags byte 3, name after the 10 fixed bytes
    byte[] named = new byte[one.length + 6];
    System.arraycopy(one, 0, named, 0, 10);
    named[3] = 8;
    System.arraycopy("w.bin\0".getBytes(), 0, named, 10, 6);
    System.arraycopy(one, 10, named, 16, one.length - 10);
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.write(one);
    both.write(named);
    Collect out = new Collect();
    byte[] got = decode("gzip", both.toByteArray(), ExpansionLimit.DEFAULT, out);
    ByteArrayOutputStream twice = new ByteArrayOutputStream();
    twice.write(data);
    twice.write(data);
    assertThat(got).isEqualTo(twice.toByteArray());
  }

  @Test
  void deflateAsZlibAndAsRawDeflate() throws IOException {
    byte[] data = sample();
    ByteArrayOutputStream zlib = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(zlib)) {
      z.write(data);
    }
    assertThat(decode("deflate", zlib.toByteArray(), ExpansionLimit.DEFAULT, new Collect()))
        .isEqualTo(data);
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (DeflaterOutputStream z = new DeflaterOutputStream(raw, new Deflater(6, true))) {
      z.write(data);
    }
    assertThat(decode("deflate", raw.toByteArray(), ExpansionLimit.DEFAULT, new Collect()))
        .isEqualTo(data);
  }

  @Test
  void zstdAndAChainOfEncodings() throws IOException {
    byte[] data = sample();
    assertThat(decode("zstd", Zstd.compress(data, 3), ExpansionLimit.DEFAULT, new Collect()))
        .isEqualTo(data);
    // applied gzip first, then zstd: undone zstd first
    byte[] body = Zstd.compress(gzip(data), 3);
    assertThat(decode("gzip, zstd", body, ExpansionLimit.DEFAULT, new Collect())).isEqualTo(data);
  }

  @Test
  void brotli() throws IOException {
    byte[] data = sample();
    com.aayushatharva.brotli4j.Brotli4jLoader.ensureAvailability();
    byte[] br = com.aayushatharva.brotli4j.encoder.Encoder.compress(data);
    assertThat(decode("br", br, ExpansionLimit.DEFAULT, new Collect())).isEqualTo(data);
    Collect z = new Collect();
    Decoder bomb = ContentEncodings.decoder("br", z, ExpansionLimit.DEFAULT);
    Collect.feed(
        bomb,
        com.aayushatharva.brotli4j.encoder.Encoder.compress(
            new byte[64 << 20],
            new com.aayushatharva.brotli4j.encoder.Encoder.Parameters().setQuality(5)),
        new Random(7),
        4096);
    assertThat(bomb.failure()).startsWith("br, input byte ").contains("expands past the limit");
  }

  @Test
  void aDecompressionBombIsRefusedNotDecoded() throws IOException {
    byte[] zeros = new byte[64 << 20];
    byte[] bomb = gzip(zeros);
    Collect out = new Collect();
    Decoder d = ContentEncodings.decoder("gzip", out, ExpansionLimit.DEFAULT);
    Collect.feed(d, bomb, new Random(3), 4096);
    assertThat(d.failure()).startsWith("gzip, input byte ").contains("expands past the limit");
    assertThat((long) out.bytes.size()).isLessThanOrEqualTo((1 << 20) + 200L * bomb.length);
    Collect z = new Collect();
    Decoder zd = ContentEncodings.decoder("zstd", z, ExpansionLimit.DEFAULT);
    Collect.feed(zd, Zstd.compress(zeros, 3), new Random(4), 4096);
    assertThat(zd.failure()).contains("expands past the limit");
  }

  @Test
  void corruptOrUnknownEncodingsFailWithoutThrowing() {
    byte[] junk = new byte[5000];
    new Random(5).nextBytes(junk);
    for (String enc : new String[] {"gzip", "deflate", "zstd", "br", "compress"}) {
      Collect out = new Collect();
      Decoder d = ContentEncodings.decoder(enc, out, ExpansionLimit.DEFAULT);
      Collect.feed(d, junk, new Random(6), 700);
      assertThat(d.failure()).as(enc).isNotNull();
      assertThat(out.ended).isTrue();
    }
    assertThat(ContentEncodings.decoder("identity", new Collect(), ExpansionLimit.DEFAULT))
        .isNull();
  }
}
