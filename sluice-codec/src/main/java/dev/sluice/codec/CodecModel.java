package dev.sluice.codec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A trained codec model, loaded from a model file: read-only, shared by every encoder and decoder
 * of a process. Its id is the SHA-256 of the file's bytes; the edge-link handshake refuses a link
 * whose two ends loaded different ids.
 *
 * <p>INTERIM: the file layout is being written (issue 7); this version accepts any file and keeps
 * its bytes. The API is the one the gateway, the edge and the CLI use.
 */
public final class CodecModel {

  /** Resource of the default model shipped in the jar (trained on Apache-2.0 text only). */
  static final String BUILT_IN_RESOURCE = "/dev/sluice/codec/default.slcm";

  private static volatile CodecModel builtIn;

  private final byte[] file;
  private final byte[] id;
  private final String source;

  private CodecModel(byte[] file, String source) {
    this.file = file;
    this.id = sha256(file);
    this.source = source;
  }

  /** Reads and checks a model file; the error names the file and the offending offset. */
  public static CodecModel read(Path path) throws IOException {
    return fromBytes(Files.readAllBytes(path), path.toString());
  }

  /** A model from the bytes of a model file; {@code source} names it in messages. */
  public static CodecModel fromBytes(byte[] file, String source) throws IOException {
    return new CodecModel(file.clone(), source);
  }

  /** The default model shipped in the jar. */
  public static CodecModel builtIn() {
    CodecModel m = builtIn;
    if (m == null) {
      synchronized (CodecModel.class) {
        m = builtIn;
        if (m == null) {
          try (InputStream in = CodecModel.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            byte[] bytes = in == null ? new byte[0] : in.readAllBytes();
            m = new CodecModel(bytes, "built-in");
          } catch (IOException e) {
            throw new UncheckedIOException("the built-in codec model cannot be read", e);
          }
          builtIn = m;
        }
      }
    }
    return m;
  }

  /** The 32-byte SHA-256 of the model file. */
  public byte[] id() {
    return id.clone();
  }

  /** The id in lower-case hex. */
  public String idHex() {
    return HexFormat.of().formatHex(id);
  }

  /** Where the model came from: a path, or {@code built-in}. */
  public String source() {
    return source;
  }

  /** The zstd dictionary inside the model (for reference compressors); empty if none. */
  public byte[] zstdDictionary() {
    return new byte[0];
  }

  byte[] fileBytes() {
    return file;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
