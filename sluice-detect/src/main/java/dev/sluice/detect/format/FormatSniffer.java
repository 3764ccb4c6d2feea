package dev.sluice.detect.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Tells a weight file's format from its first bytes, not its name: the {@code GGUF} magic; a
 * safetensors header (a little-endian length of at most 100 MB, then {@code '{'}); a zip whose
 * directory has a {@code data.pkl} (PyTorch); a JSON object with a top-level {@code
 * weightsManifest} (TF.js); for ONNX, which has no magic, the name {@code .onnx} or a protobuf
 * that starts with {@code ir_version} (0x08) and reads as a model with at least one tensor. Anything
 * else is {@link WeightFormat#RAW}.
 */
final class FormatSniffer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private FormatSniffer() {}

  static WeightFormat sniff(Path file) throws IOException {
    try (FileWindow in = FileWindow.open(file)) {
      long size = in.size();
      if (size >= 4 && (int) in.u32le(0) == GgufReader.MAGIC) {
        return WeightFormat.GGUF;
      }
      if (size >= 9) {
        // Not checked against the file size: a truncated file is a corrupt safetensors, not raw.
        long n = in.i64le(0);
        if (n >= 2 && n <= SafetensorsReader.MAX_HEADER && in.byteAt(8) == '{') {
          return WeightFormat.SAFETENSORS;
        }
      }
      if (ZipDirectory.looksLikeZip(in)) {
        try {
          for (ZipDirectory.Entry e : ZipDirectory.read(in)) {
            if (e.name().endsWith("/data.pkl") || e.name().equals("data.pkl")) {
              return WeightFormat.PYTORCH_ZIP;
            }
          }
        } catch (FormatException e) {
          return WeightFormat.RAW; // a broken zip that is not a checkpoint: its bytes, whole
        }
        return WeightFormat.RAW;
      }
      if (size > 0
          && size <= TfjsReader.MAX_MANIFEST
          && firstNonBlank(in) == '{'
          && hasWeightsManifest(file)) {
        return WeightFormat.TFJS;
      }
      String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
      if (name.endsWith(".onnx")) {
        return WeightFormat.ONNX;
      }
      if (size > 0 && in.byteAt(0) == 0x08 && readsAsOnnx(file)) {
        return WeightFormat.ONNX;
      }
      return WeightFormat.RAW;
    }
  }

  private static int firstNonBlank(FileWindow in) throws IOException {
    long limit = Math.min(in.size(), 4096);
    for (long p = 0; p < limit; p++) {
      int b = in.byteAt(p);
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t' && b != 0xef && b != 0xbb && b != 0xbf) {
        return b;
      }
    }
    return -1;
  }

  /** True when the top-level JSON object has a {@code weightsManifest} key (streamed, no tree). */
  private static boolean hasWeightsManifest(Path file) {
    try (InputStream s = Files.newInputStream(file);
        JsonParser p = JSON.getFactory().createParser(s)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        if (p.currentName().equals("weightsManifest")) {
          return true;
        }
        p.nextToken();
        p.skipChildren();
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean readsAsOnnx(Path file) {
    try {
      return !new OnnxReader().read(file).isEmpty();
    } catch (IOException e) {
      return false;
    }
  }
}
