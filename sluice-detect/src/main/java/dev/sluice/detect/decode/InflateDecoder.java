package dev.sluice.detect.decode;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * {@code Content-Encoding: gzip} (RFC 1952, members one after another) and {@code deflate} (RFC
 * 9110 says zlib, RFC 1950; some servers send raw deflate, which is recognised by its first two
 * bytes not being a zlib header). The gzip header is parsed here byte by byte (its optional extra
 * field, name, comment and header CRC skipped); the 8-byte trailer is skipped, not checked: the
 * scanner looks at what the body says, the receiver checks its integrity. Output goes out 16 KiB at
 * a time.
 */
public final class InflateDecoder extends ContentDecoder {

  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private enum State {
    GZIP_FIXED,
    GZIP_EXTRA_LENGTH,
    GZIP_EXTRA,
    GZIP_NAME,
    GZIP_COMMENT,
    GZIP_HCRC,
    ZLIB_SNIFF,
    BODY,
    GZIP_TRAILER
  }

  private final boolean gzip;
  private final byte[] out = new byte[16384];
  private Inflater inflater;
  private State state;
  private int headerBytes;
  private int flags;
  private int extraLength;
  private int sniff0 = -1;

  private InflateDecoder(boolean gzip, ByteSink sink, ExpansionLimit limit) {
    super(gzip ? "gzip" : "deflate", sink, limit);
    this.gzip = gzip;
    this.state = gzip ? State.GZIP_FIXED : State.ZLIB_SNIFF;
  }

  public static InflateDecoder gzip(ByteSink sink, ExpansionLimit limit) {
    return new InflateDecoder(true, sink, limit);
  }

  public static InflateDecoder deflate(ByteSink sink, ExpansionLimit limit) {
    return new InflateDecoder(false, sink, limit);
  }

  @Override
  void decode(byte[] b, int off, int len, long rawStart) {
    int i = off;
    int end = off + len;
    while (i < end && !failed()) {
      if (state == State.BODY) {
        i = inflate(b, i, end, rawStart);
      } else {
        header(b[i++] & 0xFF);
      }
    }
  }

  private void header(int v) {
    switch (state) {
      case GZIP_FIXED -> {
        if ((headerBytes == 0 && v != 0x1F)
            || (headerBytes == 1 && v != 0x8B)
            || (headerBytes == 2 && v != 8)) {
          fail("not a gzip member header");
          return;
        }
        if (headerBytes == 3) {
          flags = v;
        }
        if (++headerBytes == 10) {
          headerBytes = 0;
          nextHeaderField(FEXTRA - 1);
        }
      }
      case GZIP_EXTRA_LENGTH -> {
        extraLength |= v << (8 * headerBytes);
        if (++headerBytes == 2) {
          headerBytes = 0;
          state = State.GZIP_EXTRA;
          if (extraLength == 0) {
            nextHeaderField(FEXTRA);
          }
        }
      }
      case GZIP_EXTRA -> {
        if (++headerBytes == extraLength) {
          headerBytes = 0;
          nextHeaderField(FEXTRA);
        }
      }
      case GZIP_NAME -> {
        if (v == 0) {
          nextHeaderField(FNAME);
        }
      }
      case GZIP_COMMENT -> {
        if (v == 0) {
          nextHeaderField(FCOMMENT);
        }
      }
      case GZIP_HCRC -> {
        if (++headerBytes == 2) {
          headerBytes = 0;
          startBody(true);
        }
      }
      case GZIP_TRAILER -> {
        if (++headerBytes == 8) {
          headerBytes = 0;
          state = State.GZIP_FIXED;
        }
      }
      case ZLIB_SNIFF -> {
        if (sniff0 < 0) {
          sniff0 = v;
          return;
        }
        boolean zlib = (sniff0 & 0x0F) == 8 && ((sniff0 << 8) | v) % 31 == 0;
        startBody(!zlib);
        byte[] two = {(byte) sniff0, (byte) v};
        inflater.setInput(two);
        state = State.BODY;
        inflate(new byte[0], 0, 0, -1);
      }
      default -> throw new IllegalStateException(state.toString());
    }
  }

  /** Moves to the first optional gzip field after {@code done} that the flags say is there. */
  private void nextHeaderField(int done) {
    if (done < FEXTRA && (flags & FEXTRA) != 0) {
      extraLength = 0;
      state = State.GZIP_EXTRA_LENGTH;
    } else if (done < FNAME && (flags & FNAME) != 0) {
      state = State.GZIP_NAME;
    } else if (done < FCOMMENT && (flags & FCOMMENT) != 0) {
      state = State.GZIP_COMMENT;
    } else if ((flags & FHCRC) != 0 && done != FHCRC) {
      state = State.GZIP_HCRC;
    } else {
      startBody(true);
    }
  }

  private void startBody(boolean raw) {
    if (inflater == null) {
      inflater = new Inflater(raw);
    } else {
      inflater.reset();
    }
    state = State.BODY;
  }

  /** Inflates from b[i..end); returns where the compressed stream stopped consuming. */
  private int inflate(byte[] b, int i, int end, long rawStart) {
    if (end > i) {
      inflater.setInput(b, i, end - i);
    }
    try {
      while (!failed()) {
        int n = inflater.inflate(out);
        if (n > 0) {
          if (!output(out, 0, n, rawStart)) {
            return end;
          }
        } else if (inflater.finished()) {
          int rest = inflater.getRemaining();
          if (gzip) {
            state = State.GZIP_TRAILER;
            headerBytes = 0;
            return end - rest;
          }
          return end;
        } else if (inflater.needsInput() || inflater.needsDictionary()) {
          if (inflater.needsDictionary()) {
            fail("needs a preset dictionary");
          }
          return end;
        }
      }
    } catch (DataFormatException e) {
      fail("corrupt: " + e.getMessage());
    }
    return end;
  }

  @Override
  void close() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }
}
