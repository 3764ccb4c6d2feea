package dev.sluice.detect.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a GGUF file (versions 2 and 3, little-endian): magic {@code GGUF}, version (u32), tensor
 * count and metadata count (u64), the metadata key/values (every value type, arrays of any type
 * including nested arrays and arrays of strings), the tensor infos (name, dimensions innermost
 * first, ggml type, offset) and the data section, which starts at the end of the infos rounded up
 * to {@code general.alignment} (default 32, a power of two). Each tensor's bytes are {@code
 * [dataStart + offset, + size)} where the size comes from its type's block geometry ({@link
 * GgmlType}); the shape returned is outermost first, like the other formats.
 *
 * <p>Checked: counts against the bytes left in the file (so a hostile count cannot loop or
 * allocate), string lengths, array nesting (at most {@value #MAX_ARRAY_DEPTH}), dimensions (at most
 * {@value #MAX_DIMS}), offsets aligned and within the file, no overlapping tensors. Version 1
 * (32-bit counts) and big-endian files are refused. Metadata values are skipped, not kept, but for
 * {@code general.alignment}.
 */
public final class GgufReader implements WeightFileReader {
  static final int MAGIC = 0x46554747; // "GGUF" little-endian
  static final int MAX_DIMS = 8;
  static final int MAX_ARRAY_DEPTH = 8;
  static final int MAX_NAME = 64 * 1024;
  private static final int TYPE_STRING = 8;
  private static final int TYPE_ARRAY = 9;
  private static final int[] WIDTH = {1, 1, 2, 2, 4, 4, 4, 1, -1, -1, 8, 8, 8};

  @Override
  public List<TensorEntry> read(Path file) throws IOException {
    try (FileWindow in = FileWindow.open(file)) {
      return new Parse(in).run();
    }
  }

  /** One pass over a file's header: a cursor and the alignment found. */
  private static final class Parse {
    private final FileWindow in;
    private long pos;
    private long alignment = 32;

    Parse(FileWindow in) {
      this.in = in;
    }

    List<TensorEntry> run() throws IOException {
      if (in.size() < 24 || (int) in.u32le(0) != MAGIC) {
        throw in.error(0, "no GGUF magic");
      }
      long version = in.u32le(4);
      if (version != 2 && version != 3) {
        throw in.error(4, "GGUF version " + version + " (only 2 and 3 are read)");
      }
      long tensors = in.i64le(8);
      long kvs = in.i64le(16);
      pos = 24;
      // A tensor info takes at least 8 + 4 + 4 + 8 bytes, a key/value at least 8 + 4 + 1.
      if (tensors < 0 || tensors > (in.size() - pos) / 24) {
        throw in.error(
            8, "tensor count " + Long.toUnsignedString(tensors) + " too large for the file");
      }
      if (kvs < 0 || kvs > (in.size() - pos) / 13) {
        throw in.error(
            16, "metadata count " + Long.toUnsignedString(kvs) + " too large for the file");
      }
      for (long i = 0; i < kvs; i++) {
        keyValue();
      }
      List<long[]> infos = new ArrayList<>();
      List<String> names = new ArrayList<>();
      List<List<Long>> shapes = new ArrayList<>();
      List<GgmlType> types = new ArrayList<>();
      for (long i = 0; i < tensors; i++) {
        long at = pos;
        names.add(string(MAX_NAME));
        long nDims = u32();
        if (nDims > MAX_DIMS) {
          throw in.error(
              at, "tensor " + names.get(names.size() - 1) + ": " + nDims + " dimensions");
        }
        long[] dims = new long[(int) nDims];
        for (int d = 0; d < nDims; d++) {
          dims[d] = i64();
          if (dims[d] < 0) {
            throw in.error(pos - 8, "negative dimension " + Long.toUnsignedString(dims[d]));
          }
        }
        long typeId = u32();
        GgmlType type = GgmlType.of(typeId);
        if (type == null) {
          throw in.error(
              pos - 4, "tensor " + names.get(names.size() - 1) + ": unknown ggml type " + typeId);
        }
        long offset = i64();
        List<Long> shape = new ArrayList<>();
        for (int d = dims.length - 1; d >= 0; d--) {
          shape.add(dims[d]);
        }
        infos.add(new long[] {at, offset, dims.length == 0 ? 1 : dims[0]});
        shapes.add(shape);
        types.add(type);
      }
      long dataStart = align(pos);
      List<TensorEntry> out = new ArrayList<>();
      for (int i = 0; i < infos.size(); i++) {
        long[] info = infos.get(i);
        String name = names.get(i);
        GgmlType type = types.get(i);
        long elements = TensorEntry.elements(shapes.get(i));
        long size = elements < 0 ? -1 : type.bytes(info[2], elements);
        if (size < 0) {
          throw in.error(
              info[0],
              "tensor " + name + ": shape " + shapes.get(i) + " is not whole " + type + " blocks");
        }
        long offset = info[1];
        if (offset < 0 || offset % alignment != 0) {
          throw in.error(
              info[0],
              "tensor "
                  + name
                  + ": offset "
                  + Long.toUnsignedString(offset)
                  + " not aligned to "
                  + alignment);
        }
        if (offset > in.size() - dataStart || size > in.size() - dataStart - offset) {
          throw in.error(
              info[0],
              "tensor "
                  + name
                  + ": "
                  + size
                  + " bytes at data offset "
                  + offset
                  + " past the end of the file ("
                  + in.size()
                  + " bytes, data at "
                  + dataStart
                  + ")");
        }
        if (size > 0) {
          out.add(
              new TensorEntry(
                  new TensorRegion(in.path(), name, dataStart + offset, size, type.dtype),
                  shapes.get(i)));
        }
      }
      out.sort(Comparator.comparingLong(t -> t.region().offset()));
      for (int i = 1; i < out.size(); i++) {
        if (out.get(i).region().offset() < out.get(i - 1).region().end()) {
          throw in.error(
              out.get(i).region().offset(),
              "tensor "
                  + out.get(i).region().name()
                  + " overlaps "
                  + out.get(i - 1).region().name());
        }
      }
      return out;
    }

    private void keyValue() throws IOException {
      long at = pos;
      String key = string(MAX_NAME);
      long type = u32();
      if (key.equals("general.alignment")) {
        long a = type == 4 ? u32() : type == 10 ? i64() : -1;
        if (a <= 0 || Long.bitCount(a) != 1 || a > 1 << 30) {
          throw in.error(
              at,
              "general.alignment must be a u32 power of two, found type " + type + " value " + a);
        }
        alignment = a;
        return;
      }
      skipValue(type, 0, at);
    }

    private void skipValue(long type, int depth, long at) throws IOException {
      if (type == TYPE_STRING) {
        skip(stringLength());
      } else if (type == TYPE_ARRAY) {
        if (depth >= MAX_ARRAY_DEPTH) {
          throw in.error(at, "arrays nested deeper than " + MAX_ARRAY_DEPTH);
        }
        long element = u32();
        long count = i64();
        int width = element >= 0 && element < WIDTH.length ? WIDTH[(int) element] : -2;
        if (width == -2) {
          throw in.error(pos - 12, "unknown metadata array element type " + element);
        }
        long min = width > 0 ? width : element == TYPE_STRING ? 8 : 12;
        if (count < 0 || count > (in.size() - pos) / min) {
          throw in.error(
              pos - 8,
              "array of " + Long.toUnsignedString(count) + " elements too large for the file");
        }
        if (width > 0) {
          skip(count * width);
        } else {
          for (long i = 0; i < count; i++) {
            skipValue(element, depth + 1, pos);
          }
        }
      } else if (type >= 0 && type < WIDTH.length) {
        skip(WIDTH[(int) type]);
      } else {
        throw in.error(pos - 4, "unknown metadata value type " + type);
      }
    }

    private long align(long p) throws FormatException {
      long rem = p % alignment;
      long a = rem == 0 ? p : p + (alignment - rem);
      if (a > in.size()) {
        throw in.error(p, "data section starts at " + a + " past the end of the file");
      }
      return a;
    }

    private String string(int max) throws IOException {
      long n = stringLength();
      if (n > max) {
        throw in.error(pos - 8, "string of " + n + " bytes, limit " + max);
      }
      byte[] b = in.bytes(pos, (int) n);
      pos += n;
      return new String(b, StandardCharsets.UTF_8);
    }

    private long stringLength() throws IOException {
      long n = i64();
      if (n < 0 || n > in.size() - pos) {
        throw in.error(
            pos - 8, "string of " + Long.toUnsignedString(n) + " bytes past the end of the file");
      }
      return n;
    }

    private void skip(long n) throws FormatException {
      in.require(pos, n);
      pos += n;
    }

    private long u32() throws IOException {
      in.require(pos, 4);
      long v = in.u32le(pos);
      pos += 4;
      return v;
    }

    private long i64() throws IOException {
      in.require(pos, 8);
      long v = in.i64le(pos);
      pos += 8;
      return v;
    }
  }
}
