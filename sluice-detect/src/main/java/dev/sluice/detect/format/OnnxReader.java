package dev.sluice.detect.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the tensors of an ONNX model (a protobuf {@code ModelProto}) without loading the file: the
 * wire format is walked with {@link ProtoReader} and only the offsets of tensor payloads are kept.
 *
 * <p>Tensors found, each a {@code TensorProto}:
 *
 * <ul>
 *   <li>the graph's {@code initializer} (GraphProto field 5) and the {@code values} and {@code
 *       indices} of its {@code sparse_initializer} (field 15; unnamed indices are named {@code
 *       VALUES.indices});
 *   <li>tensor-valued node attributes ({@code t}, field 5, and {@code tensors}, field 10, of an
 *       AttributeProto), which is where {@code Constant} nodes keep their {@code value};
 *   <li>the same, recursively, in subgraphs held by node attributes ({@code g}, field 6, and {@code
 *       graphs}, field 11: the branches and bodies of If, Loop and Scan), in training-info graphs
 *       (ModelProto field 20) and in the nodes of model-local functions (ModelProto field 25).
 * </ul>
 *
 * <p>A tensor's bytes are its {@code raw_data} (field 9, the exact payload), or its packed typed
 * fields: {@code float_data} (4, reported as {@link DType#F32}), {@code double_data} (10, {@link
 * DType#F64}), and the varint-coded {@code int32_data} (5), {@code int64_data} (7) and {@code
 * uint64_data} (11), reported as {@link DType#UNKNOWN} since varints have no fixed width. Unpacked
 * typed fields (one tag per element, legal but never written by ONNX tools) and {@code string_data}
 * are not reported. With {@code data_location = EXTERNAL} (field 14) the bytes are in another file
 * named by {@code external_data} (field 13) {@code location}, resolved against the model's
 * directory (absolute paths and paths that leave that directory, also through symbolic links, are
 * refused), at {@code offset} (default 0) for {@code length} bytes (default: shape times element
 * width, else the rest of the file); the region names that file.
 *
 * <p>Bounds against hostile files: nesting of subgraphs at most {@value #MAX_DEPTH}, names at most
 * {@value #MAX_NAME} bytes, at most {@value #MAX_DIMS} dimensions and {@value #MAX_TENSORS} tensors
 * per model; every length is checked against its enclosing message before use.
 */
public final class OnnxReader implements WeightFileReader {
  static final int MAX_DEPTH = 64;
  static final int MAX_NAME = 64 * 1024;
  static final int MAX_DIMS = 64;
  static final int MAX_TENSORS = 4_000_000;
  private static final int DATA_LOCATION_EXTERNAL = 1;

  @Override
  public List<TensorEntry> read(Path file) throws IOException {
    try (FileWindow in = FileWindow.open(file)) {
      Walk walk = new Walk(in);
      ProtoReader model = new ProtoReader(in, 0, in.size());
      boolean graph = false;
      while (model.next()) {
        switch (model.field()) {
          case 7 -> {
            model.expect(ProtoReader.DELIMITED, "ModelProto.graph");
            walk.graph(model.message(), 0);
            graph = true;
          }
          case 20 -> {
            model.expect(ProtoReader.DELIMITED, "ModelProto.training_info");
            walk.trainingInfo(model.message());
          }
          case 25 -> {
            model.expect(ProtoReader.DELIMITED, "ModelProto.functions");
            walk.function(model.message());
          }
          default -> model.skip();
        }
      }
      if (!graph) {
        throw in.error(0, "no graph (ModelProto field 7): not an ONNX model");
      }
      return walk.out;
    }
  }

  /** The {@link DType} of an ONNX {@code TensorProto.DataType}. */
  static DType dtype(int onnxType) {
    return switch (onnxType) {
      case 1 -> DType.F32;
      case 2 -> DType.U8;
      case 3 -> DType.I8;
      case 5 -> DType.I16;
      case 6 -> DType.I32;
      case 7 -> DType.I64;
      case 9 -> DType.BOOL;
      case 10 -> DType.F16;
      case 11 -> DType.F64;
      case 16 -> DType.BF16;
      case 17, 18, 19, 20 -> DType.F8;
      case 21, 22, 23 -> DType.QUANTIZED;
      default -> DType.UNKNOWN; // uint16/32/64, complex, string, undefined
    };
  }

  /** The state of one model's walk: the file, the tensors found, the external files checked. */
  private static final class Walk {
    private final FileWindow in;
    private final List<TensorEntry> out = new ArrayList<>();
    private final Map<Path, Long> externalSizes = new HashMap<>();
    private int anonymous;

    Walk(FileWindow in) {
      this.in = in;
    }

    void graph(ProtoReader g, int depth) throws IOException {
      if (depth > MAX_DEPTH) {
        throw in.error(g.start(), "subgraphs nested deeper than " + MAX_DEPTH);
      }
      while (g.next()) {
        switch (g.field()) {
          case 1 -> {
            g.expect(ProtoReader.DELIMITED, "GraphProto.node");
            node(g.message(), depth);
          }
          case 5 -> {
            g.expect(ProtoReader.DELIMITED, "GraphProto.initializer");
            tensor(g.message(), null);
          }
          case 15 -> {
            g.expect(ProtoReader.DELIMITED, "GraphProto.sparse_initializer");
            sparse(g.message(), null);
          }
          default -> g.skip();
        }
      }
    }

    void trainingInfo(ProtoReader t) throws IOException {
      while (t.next()) {
        if ((t.field() == 1 || t.field() == 2) && t.wireType() == ProtoReader.DELIMITED) {
          graph(t.message(), 1);
        } else {
          t.skip();
        }
      }
    }

    void function(ProtoReader f) throws IOException {
      while (f.next()) {
        if (f.field() == 7 && f.wireType() == ProtoReader.DELIMITED) {
          node(f.message(), 1);
        } else {
          f.skip();
        }
      }
    }

    private void node(ProtoReader n, int depth) throws IOException {
      // Attributes may precede the node's name on the wire: collect them, name them after.
      String name = "";
      List<ProtoReader> attributes = new ArrayList<>();
      while (n.next()) {
        if (n.field() == 3 && n.wireType() == ProtoReader.DELIMITED) {
          name = n.string(MAX_NAME);
        } else if (n.field() == 5 && n.wireType() == ProtoReader.DELIMITED) {
          attributes.add(n.message());
        } else {
          n.skip();
        }
      }
      for (ProtoReader a : attributes) {
        attribute(a, name, depth);
      }
    }

    private void attribute(ProtoReader a, String node, int depth) throws IOException {
      String name = "";
      List<ProtoReader> tensors = new ArrayList<>();
      List<ProtoReader> sparse = new ArrayList<>();
      while (a.next()) {
        switch (a.field()) {
          case 1 -> {
            a.expect(ProtoReader.DELIMITED, "AttributeProto.name");
            name = a.string(MAX_NAME);
          }
          case 5, 10 -> {
            a.expect(ProtoReader.DELIMITED, "AttributeProto.t");
            tensors.add(a.message());
          }
          case 22, 23 -> {
            a.expect(ProtoReader.DELIMITED, "AttributeProto.sparse_tensor");
            sparse.add(a.message());
          }
          case 6, 11 -> {
            a.expect(ProtoReader.DELIMITED, "AttributeProto.g");
            graph(a.message(), depth + 1);
          }
          default -> a.skip();
        }
      }
      String fallback = node + ":" + name;
      for (ProtoReader t : tensors) {
        tensor(t, fallback);
      }
      for (ProtoReader s : sparse) {
        sparse(s, fallback);
      }
    }

    private void sparse(ProtoReader s, String fallback) throws IOException {
      List<ProtoReader> values = new ArrayList<>();
      List<ProtoReader> indices = new ArrayList<>();
      while (s.next()) {
        if (s.field() == 1 && s.wireType() == ProtoReader.DELIMITED) {
          values.add(s.message());
        } else if (s.field() == 2 && s.wireType() == ProtoReader.DELIMITED) {
          indices.add(s.message());
        } else {
          s.skip();
        }
      }
      // Indices are usually unnamed: they take the name of the values (the sparse tensor's name).
      String base = fallback == null ? "sparse#" + anonymous++ : fallback;
      for (ProtoReader v : values) {
        base = tensor(v, base);
      }
      for (ProtoReader i : indices) {
        tensor(i, base + ".indices");
      }
    }

    /**
     * One TensorProto: its bytes become a region named after it (or {@code fallback}).
     *
     * @return the name used
     */
    private String tensor(ProtoReader t, String fallback) throws IOException {
      List<Long> dims = new ArrayList<>();
      int dataType = 0;
      String name = null;
      int location = 0;
      Map<String, String> external = new HashMap<>();
      long[][] spans = new long[12][]; // by field number: {offset, length}
      long tensorAt = t.start();
      while (t.next()) {
        switch (t.field()) {
          case 1 -> dims(t, dims);
          case 2 -> {
            t.expect(ProtoReader.VARINT, "TensorProto.data_type");
            dataType = (int) t.varint();
          }
          case 8 -> {
            t.expect(ProtoReader.DELIMITED, "TensorProto.name");
            name = t.string(MAX_NAME);
          }
          case 4, 5, 7, 9, 10, 11 -> {
            if (t.wireType() == ProtoReader.DELIMITED) {
              t.delimited();
              spans[t.field()] = new long[] {t.payloadOffset(), t.payloadLength()};
            } else {
              t.skip(); // an unpacked element: not reported (see the class comment)
            }
          }
          case 13 -> {
            t.expect(ProtoReader.DELIMITED, "TensorProto.external_data");
            entry(t.message(), external);
          }
          case 14 -> {
            t.expect(ProtoReader.VARINT, "TensorProto.data_location");
            location = (int) t.varint();
          }
          default -> t.skip();
        }
      }
      if (name == null || name.isEmpty()) {
        name = fallback != null ? fallback : "tensor#" + anonymous++;
      }
      if (location == DATA_LOCATION_EXTERNAL) {
        external(name, dims, dtype(dataType), external, tensorAt);
        return name;
      }
      add(name, dims, dtype(dataType), spans[9], in.path());
      add(name + ".float_data", dims, DType.F32, spans[4], in.path());
      add(name + ".double_data", dims, DType.F64, spans[10], in.path());
      add(name + ".int32_data", dims, DType.UNKNOWN, spans[5], in.path());
      add(name + ".int64_data", dims, DType.UNKNOWN, spans[7], in.path());
      add(name + ".uint64_data", dims, DType.UNKNOWN, spans[11], in.path());
      return name;
    }

    private void dims(ProtoReader t, List<Long> dims) throws IOException {
      if (t.wireType() == ProtoReader.VARINT) {
        dim(t, dims, t.varint());
        return;
      }
      t.expect(ProtoReader.DELIMITED, "TensorProto.dims");
      t.delimited();
      ProtoReader packed = t.payload();
      while (!packed.atEnd()) {
        dim(t, dims, packed.varint());
      }
    }

    private void dim(ProtoReader t, List<Long> dims, long d) throws FormatException {
      if (dims.size() >= MAX_DIMS) {
        throw in.error(t.tagOffset(), "tensor has more than " + MAX_DIMS + " dimensions");
      }
      dims.add(d);
    }

    private void entry(ProtoReader e, Map<String, String> into) throws IOException {
      String key = null;
      String value = "";
      while (e.next()) {
        if (e.field() == 1 && e.wireType() == ProtoReader.DELIMITED) {
          key = e.string(MAX_NAME);
        } else if (e.field() == 2 && e.wireType() == ProtoReader.DELIMITED) {
          value = e.string(MAX_NAME);
        } else {
          e.skip();
        }
      }
      if (key != null) {
        into.put(key, value);
      }
    }

    private void external(
        String name, List<Long> dims, DType dtype, Map<String, String> kv, long at)
        throws IOException {
      String location = kv.get("location");
      if (location == null || location.isEmpty()) {
        throw in.error(at, "tensor " + name + ": external data without a location");
      }
      Path target =
          SiblingFiles.resolve(in.path(), location, "external data of tensor " + name, at);
      Long known = externalSizes.get(target);
      long size = known != null ? known : Files.size(target);
      externalSizes.put(target, size);
      long offset = number(kv.get("offset"), 0, name, "offset", at);
      long length = number(kv.get("length"), -1, name, "length", at);
      if (length < 0) {
        long elements = TensorEntry.elements(dims);
        length =
            elements >= 0 && dtype.width() > 0 && elements <= Long.MAX_VALUE / dtype.width()
                ? elements * dtype.width()
                : size - offset;
      }
      if (offset > size || length > size - offset) {
        throw in.error(
            at,
            "tensor "
                + name
                + ": external data offset "
                + offset
                + " length "
                + length
                + " past the end of "
                + target
                + " ("
                + size
                + " bytes)");
      }
      add(name, dims, dtype, length == 0 ? null : new long[] {offset, length}, target);
    }

    private long number(String text, long absent, String name, String key, long at)
        throws FormatException {
      if (text == null) {
        return absent;
      }
      try {
        long v = Long.parseLong(text.trim());
        if (v < 0) {
          throw new NumberFormatException("negative");
        }
        return v;
      } catch (NumberFormatException e) {
        throw in.error(at, "tensor " + name + ": external data " + key + " '" + text + "'");
      }
    }

    private void add(String name, List<Long> dims, DType dtype, long[] span, Path file)
        throws FormatException {
      if (span == null || span[1] == 0) {
        return;
      }
      if (out.size() >= MAX_TENSORS) {
        throw in.error(span[0], "more than " + MAX_TENSORS + " tensors");
      }
      out.add(new TensorEntry(new TensorRegion(file, name, span[0], span[1], dtype), dims));
    }
  }
}
