package dev.sluice.detect.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a TensorFlow.js model: a JSON {@code model.json} (at most {@value #MAX_MANIFEST} bytes)
 * whose {@code weightsManifest} is a list of groups {@code {"paths": [shard...], "weights":
 * [{"name", "shape", "dtype", "quantization"?}]}}. A group's shards, concatenated in order, hold
 * its weights back to back; each weight takes its element count times the width of its dtype
 * ({@code float32}, {@code int32}, {@code complex64}, {@code bool}), or of {@code
 * quantization.dtype} ({@code uint8}, {@code uint16}, {@code float16}) when quantized. The regions
 * are mapped back into the shard files (named relative to the manifest, never outside its
 * directory); a weight that straddles two shards becomes one region per shard, named {@code
 * name@1}, {@code name@2}... with no shape. {@code string} weights (variable length) are refused.
 */
public final class TfjsReader implements WeightFileReader {
  static final long MAX_MANIFEST = 64L * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public List<TensorEntry> read(Path manifest) throws IOException {
    JsonNode root = manifest(manifest);
    JsonNode groups = root.get("weightsManifest");
    if (groups == null || !groups.isArray()) {
      throw new FormatException(manifest, 0, "no weightsManifest array: not a TF.js model.json");
    }
    List<TensorEntry> out = new ArrayList<>();
    int g = 0;
    for (JsonNode group : groups) {
      group(manifest, group, g++, out);
    }
    return out;
  }

  /** The parsed model.json, or a {@link FormatException} naming where the JSON is broken. */
  static JsonNode manifest(Path manifest) throws IOException {
    long size = Files.size(manifest);
    if (size > MAX_MANIFEST) {
      throw new FormatException(
          manifest, 0, "model.json of " + size + " bytes, limit " + MAX_MANIFEST);
    }
    try {
      JsonNode root = JSON.readTree(Files.readAllBytes(manifest));
      if (root == null || !root.isObject()) {
        throw new FormatException(manifest, 0, "not a JSON object");
      }
      return root;
    } catch (JsonProcessingException e) {
      long at = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getByteOffset());
      throw new FormatException(manifest, at, "not JSON: " + e.getOriginalMessage());
    }
  }

  private static void group(Path manifest, JsonNode group, int g, List<TensorEntry> out)
      throws IOException {
    String where = "weightsManifest[" + g + "]";
    JsonNode paths = group.get("paths");
    JsonNode weights = group.get("weights");
    if (paths == null || !paths.isArray() || weights == null || !weights.isArray()) {
      throw new FormatException(manifest, 0, where + ": needs paths and weights arrays");
    }
    List<Path> shards = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    long total = 0;
    for (JsonNode p : paths) {
      if (!p.isTextual()) {
        throw new FormatException(manifest, 0, where + ": path " + p + " is not a string");
      }
      Path shard = SiblingFiles.resolve(manifest, p.asText(), where + " shard", 0);
      shards.add(shard);
      long size = Files.size(shard);
      sizes.add(size);
      total = Math.addExact(total, size);
    }
    long at = 0; // offset in the concatenation of the shards
    for (JsonNode w : weights) {
      String name = w.path("name").asText("");
      long bytes = bytes(manifest, where, name, w);
      if (bytes > total - at) {
        throw new FormatException(
            manifest,
            0,
            where
                + " weight "
                + name
                + ": "
                + bytes
                + " bytes at "
                + at
                + " past the end of the shards ("
                + total
                + " bytes)");
      }
      List<Long> shape = shape(manifest, where, name, w);
      DType dtype = dtype(w);
      map(shards, sizes, name, shape, dtype, at, bytes, out);
      at += bytes;
    }
  }

  /** Cuts {@code [at, at + bytes)} of the concatenation into one region per shard it touches. */
  private static void map(
      List<Path> shards,
      List<Long> sizes,
      String name,
      List<Long> shape,
      DType dtype,
      long at,
      long bytes,
      List<TensorEntry> out) {
    if (bytes == 0) {
      return;
    }
    List<TensorRegion> parts = new ArrayList<>();
    long shardStart = 0;
    long end = at + bytes;
    for (int i = 0; i < shards.size() && shardStart < end; i++) {
      long shardEnd = shardStart + sizes.get(i);
      long from = Math.max(at, shardStart);
      long to = Math.min(end, shardEnd);
      if (from < to) {
        parts.add(new TensorRegion(shards.get(i), name, from - shardStart, to - from, dtype));
      }
      shardStart = shardEnd;
    }
    if (parts.size() == 1) {
      out.add(new TensorEntry(parts.get(0), shape));
      return;
    }
    for (int i = 0; i < parts.size(); i++) {
      TensorRegion r = parts.get(i);
      out.add(
          TensorEntry.unshaped(
              new TensorRegion(r.file(), name + "@" + (i + 1), r.offset(), r.length(), dtype)));
    }
  }

  private static long bytes(Path manifest, String where, String name, JsonNode w)
      throws FormatException {
    String dtype = w.path("dtype").asText("");
    JsonNode q = w.get("quantization");
    String stored = q != null && q.has("dtype") ? q.get("dtype").asText() : dtype;
    int width =
        switch (stored) {
          case "float32", "int32" -> 4;
          case "complex64" -> 8;
          case "bool", "uint8", "int8" -> 1;
          case "uint16", "float16", "int16" -> 2;
          default -> -1;
        };
    if (width < 0) {
      throw new FormatException(
          manifest,
          0,
          where
              + " weight "
              + name
              + ": dtype '"
              + stored
              + "' is not read (variable or unknown width)");
    }
    long elements = TensorEntry.elements(shape(manifest, where, name, w));
    if (elements < 0 || elements > Long.MAX_VALUE / width) {
      throw new FormatException(
          manifest, 0, where + " weight " + name + ": bad shape " + w.get("shape"));
    }
    return elements * width;
  }

  private static List<Long> shape(Path manifest, String where, String name, JsonNode w)
      throws FormatException {
    JsonNode s = w.get("shape");
    if (s == null || !s.isArray()) {
      throw new FormatException(manifest, 0, where + " weight " + name + ": no shape");
    }
    List<Long> shape = new ArrayList<>();
    for (JsonNode d : s) {
      if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
        throw new FormatException(manifest, 0, where + " weight " + name + ": bad dimension " + d);
      }
      shape.add(d.asLong());
    }
    return shape;
  }

  private static DType dtype(JsonNode w) {
    JsonNode q = w.get("quantization");
    String stored =
        q != null && q.has("dtype") ? q.get("dtype").asText() : w.path("dtype").asText("");
    return switch (stored) {
      case "float32" -> DType.F32;
      case "float16" -> DType.F16;
      case "int32" -> DType.I32;
      case "int16" -> DType.I16;
      case "int8" -> DType.I8;
      case "uint8" -> DType.U8;
      case "bool" -> DType.BOOL;
      default -> DType.UNKNOWN; // uint16 (quantized), complex64
    };
  }
}
