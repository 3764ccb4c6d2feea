package dev.sluice.codec;

import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A trained codec model, loaded from a model file ({@link ModelFile} has the layout): read-only,
 * shared by every encoder and decoder of a process; each stream copies the small adaptive parts it
 * starts from. Its id is the SHA-256 of the file's bytes; the edge-link handshake refuses a link
 * whose two ends loaded different ids.
 */
public final class CodecModel {

  /** Resource of the default model shipped in the jar (trained on Apache-2.0 text only). */
  static final String BUILT_IN_RESOURCE = "/dev/sluice/codec/default.slcm";

  /** zstd level of the generic path (what the codec does not recognise). */
  static final int GENERIC_LEVEL = 3;

  private static volatile CodecModel builtIn;

  private final byte[] id;
  private final String source;
  private final long fileSize;
  private final ModelFile.Parts parts;
  private final ZstdDictCompress dictCompress;
  private final ZstdDictDecompress dictDecompress;

  private CodecModel(byte[] file, String source) throws IOException {
    this.id = sha256(file);
    this.source = source;
    this.fileSize = file.length;
    this.parts = ModelFile.read(file, source);
    byte[] dict = parts.dictionary();
    this.dictCompress = dict.length == 0 ? null : new ZstdDictCompress(dict, GENERIC_LEVEL);
    this.dictDecompress = dict.length == 0 ? null : new ZstdDictDecompress(dict);
  }

  /** A model straight from its parts, without a file (the trainer's, while it tunes). */
  CodecModel(ModelFile.Parts parts, String source) {
    this.id = new byte[32];
    this.source = source;
    this.fileSize = 0;
    this.parts = parts;
    byte[] dict = parts.dictionary();
    this.dictCompress = dict.length == 0 ? null : new ZstdDictCompress(dict, GENERIC_LEVEL);
    this.dictDecompress = dict.length == 0 ? null : new ZstdDictDecompress(dict);
  }

  /** Reads and checks a model file; the error names the file and the offending offset. */
  public static CodecModel read(Path path) throws IOException {
    return new CodecModel(Files.readAllBytes(path), path.toString());
  }

  /** A model from the bytes of a model file; {@code source} names it in messages. */
  public static CodecModel fromBytes(byte[] file, String source) throws IOException {
    return new CodecModel(file.clone(), source);
  }

  /**
   * The default model shipped in the jar, or, in a build without one, an untrained model (every
   * stream learns from nothing).
   */
  public static CodecModel builtIn() {
    CodecModel m = builtIn;
    if (m == null) {
      synchronized (CodecModel.class) {
        m = builtIn;
        if (m == null) {
          try (InputStream in = CodecModel.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
            m =
                in == null
                    ? new CodecModel(ModelTrainer.untrained(), "built-in (untrained)")
                    : new CodecModel(in.readAllBytes(), "built-in");
          } catch (IOException e) {
            throw new UncheckedIOException("the built-in codec model cannot be read", e);
          }
          builtIn = m;
        }
      }
    }
    return m;
  }

  /** A model that knows nothing (each stream learns from scratch): for tests and comparisons. */
  static CodecModel untrained() {
    try {
      return new CodecModel(ModelTrainer.untrained(), "untrained");
    } catch (IOException e) {
      throw new UncheckedIOException("the untrained model cannot be built", e);
    }
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

  /**
   * E.g. {@code model.slcm (id 3f2a…)}: where the model came from and the start of its id, as
   * commands and the codec file's errors name a model.
   */
  public String label() {
    return source + " (id " + idHex().substring(0, 16) + "…)";
  }

  /** What the model was trained on, as its trainer wrote it. */
  public String description() {
    return parts.description();
  }

  /** The size of the model file in bytes. */
  public long fileSize() {
    return fileSize;
  }

  /** The zstd dictionary inside the model (for the generic path and reference compressors). */
  public byte[] zstdDictionary() {
    return parts.dictionary().clone();
  }

  TextTables text() {
    return parts.text();
  }

  /** Where every stream's adaptive state starts, or null (untuned). */
  StreamStart start() {
    return parts.start();
  }

  /** The shape library, possibly empty. */
  ShapeLibrary library() {
    return parts.library();
  }

  ZstdDictCompress dictCompress() {
    return dictCompress;
  }

  ZstdDictDecompress dictDecompress() {
    return dictDecompress;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
