package dev.sluice.detect.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file: an 8-byte little-endian header length {@code N} (at most {@value
 * #MAX_HEADER} bytes, the limit of the reference implementation), a UTF-8 JSON object of {@code N}
 * bytes, then the data section. Each key but {@code __metadata__} is a tensor {@code {"dtype",
 * "shape", "data_offsets": [begin, end]}} whose bytes are {@code [8 + N + begin, 8 + N + end)}.
 *
 * <p>Checked: the header lies within the file and is a JSON object; each tensor's offsets lie in
 * the data section, {@code end - begin} equals the shape's element count times the dtype's width
 * (when the dtype has one) and no two tensors overlap. Unknown dtypes (U16, U32, U64, future ones)
 * are read as {@link DType#UNKNOWN}; {@code F8_*} as {@link DType#F8}; {@code F4}/{@code F6_*} as
 * {@link DType#QUANTIZED}. The order of tensors returned is by offset.
 */
public final class SafetensorsReader implements WeightFileReader {
  static final long MAX_HEADER = 100_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public List<TensorEntry> read(Path file) throws IOException {
    try (FileWindow in = FileWindow.open(file)) {
      long n = in.i64le(0);
      if (n < 2 || n > MAX_HEADER) {
        throw in.error(
            0, "header length " + Long.toUnsignedString(n) + " out of [2, " + MAX_HEADER + "]");
      }
      if (n > in.size() - 8) {
        throw in.error(
            0, "header length " + n + " past the end of the file (" + in.size() + " bytes)");
      }
      JsonNode header;
      try {
        header = JSON.readTree(in.bytes(8, (int) n));
      } catch (JsonProcessingException e) {
        long at = 8 + Math.max(0, e.getLocation() == null ? 0 : e.getLocation().getByteOffset());
        throw in.error(at, "header is not JSON: " + e.getOriginalMessage());
      }
      if (header == null || !header.isObject()) {
        throw in.error(8, "header is not a JSON object");
      }
      long dataStart = 8 + n;
      long dataSize = in.size() - dataStart;
      List<TensorEntry> out = new ArrayList<>();
      for (Map.Entry<String, JsonNode> f : header.properties()) {
        if (f.getKey().equals("__metadata__")) {
          continue;
        }
        TensorEntry t = tensor(in, f.getKey(), f.getValue(), dataStart, dataSize);
        if (t != null) {
          out.add(t);
        }
      }
      out.sort(Comparator.comparingLong(t -> t.region().offset()));
      for (int i = 1; i < out.size(); i++) {
        TensorRegion a = out.get(i - 1).region();
        TensorRegion b = out.get(i).region();
        if (b.offset() < a.end()) {
          throw in.error(b.offset(), "tensor " + b.name() + " overlaps " + a.name());
        }
      }
      return out;
    }
  }

  private static TensorEntry tensor(
      FileWindow in, String name, JsonNode t, long dataStart, long dataSize) throws IOException {
    if (!t.isObject()) {
      throw in.error(8, "tensor " + name + ": not a JSON object");
    }
    JsonNode offsets = t.get("data_offsets");
    JsonNode shapeNode = t.get("shape");
    JsonNode dtypeNode = t.get("dtype");
    if (offsets == null
        || !offsets.isArray()
        || offsets.size() != 2
        || !offsets.get(0).canConvertToExactIntegral()
        || !offsets.get(1).canConvertToExactIntegral()
        || !offsets.get(0).canConvertToLong()
        || !offsets.get(1).canConvertToLong()) {
      throw in.error(8, "tensor " + name + ": data_offsets " + offsets + " is not [begin, end]");
    }
    if (shapeNode == null || !shapeNode.isArray() || dtypeNode == null || !dtypeNode.isTextual()) {
      throw in.error(8, "tensor " + name + ": needs a dtype string and a shape array");
    }
    long begin = offsets.get(0).asLong();
    long end = offsets.get(1).asLong();
    if (begin < 0 || end < begin || end > dataSize) {
      throw in.error(
          dataStart + Math.max(0, begin),
          "tensor "
              + name
              + ": data_offsets ["
              + begin
              + ", "
              + end
              + "] outside the data section of "
              + dataSize
              + " bytes");
    }
    List<Long> shape = new ArrayList<>();
    for (JsonNode d : shapeNode) {
      if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
        throw in.error(8, "tensor " + name + ": bad dimension " + d);
      }
      shape.add(d.asLong());
    }
    DType dtype = dtype(dtypeNode.asText());
    long elements = TensorEntry.elements(shape);
    if (dtype.width() > 0
        && (elements < 0
            || elements > Long.MAX_VALUE / dtype.width()
            || elements * dtype.width() != end - begin)) {
      throw in.error(
          dataStart + begin,
          "tensor " + name + ": " + (end - begin) + " bytes for shape " + shape + " of " + dtype);
    }
    if (end == begin) {
      return null;
    }
    return new TensorEntry(
        new TensorRegion(in.path(), name, dataStart + begin, end - begin, dtype), shape);
  }

  /** The {@link DType} of a safetensors dtype name. */
  static DType dtype(String name) {
    return switch (name) {
      case "F64" -> DType.F64;
      case "F32" -> DType.F32;
      case "F16" -> DType.F16;
      case "BF16" -> DType.BF16;
      case "I64" -> DType.I64;
      case "I32" -> DType.I32;
      case "I16" -> DType.I16;
      case "I8" -> DType.I8;
      case "U8" -> DType.U8;
      case "BOOL" -> DType.BOOL;
      case "F8_E4M3", "F8_E5M2", "F8_E8M0" -> DType.F8;
      case "F4", "F6_E2M3", "F6_E3M2" -> DType.QUANTIZED;
      default -> DType.UNKNOWN;
    };
  }
}
