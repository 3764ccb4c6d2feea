package dev.sluice.detect.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a PyTorch checkpoint in the zip format of {@code torch.save} (since 1.6): entries {@code
 * PREFIX/data.pkl} (the pickled object) and {@code PREFIX/data/KEY}, one per storage, STORED (torch
 * never compresses them) and found through {@link ZipDirectory}, zip64 included. Each storage is
 * one region, the exact data of its entry. Its element type and name come from {@link TorchPickle}:
 * the dtype of the storage class ({@code FloatStorage} is {@link DType#F32}...), the name of the
 * first tensor built on it (else {@code data/KEY}), and that tensor's shape when it is the only one
 * and covers the whole storage; a storage the pickle does not describe (a pickle beyond {@value
 * #MAX_PICKLE} bytes, an opcode not read) is {@link DType#UNKNOWN}.
 *
 * <p>Refused: a zip without {@code data.pkl}, or a storage entry that is compressed (its bytes in
 * the file would not be the tensor's). Legacy (pre-1.6, tar/pickle) checkpoints are not read: as
 * raw files their bytes are still fingerprinted whole.
 */
public final class TorchZipReader implements WeightFileReader {
  static final int MAX_PICKLE = 64 * 1024 * 1024;

  @Override
  public List<TensorEntry> read(Path file) throws IOException {
    try (FileWindow in = FileWindow.open(file)) {
      if (!ZipDirectory.looksLikeZip(in)) {
        throw in.error(0, "not a zip file");
      }
      List<ZipDirectory.Entry> entries = ZipDirectory.read(in);
      ZipDirectory.Entry pkl = null;
      for (ZipDirectory.Entry e : entries) {
        if (e.name().endsWith("/data.pkl") || e.name().equals("data.pkl")) {
          pkl = e;
          break;
        }
      }
      if (pkl == null) {
        throw in.error(0, "zip without data.pkl: not a torch.save checkpoint");
      }
      String prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
      TorchPickle pickle =
          pkl.method() == ZipDirectory.STORED && pkl.size() <= MAX_PICKLE
              ? TorchPickle.parse(in.bytes(pkl.dataOffset(), (int) pkl.size()))
              : TorchPickle.parse(new byte[0]);
      Map<String, List<TorchPickle.Named>> views = new HashMap<>();
      for (TorchPickle.Named n : pickle.tensors()) {
        views.computeIfAbsent(n.tensor().storage().key(), k -> new ArrayList<>()).add(n);
      }
      List<TensorEntry> out = new ArrayList<>();
      String storagePrefix = prefix + "data/";
      for (ZipDirectory.Entry e : entries) {
        if (!e.name().startsWith(storagePrefix) || e.name().endsWith("/")) {
          continue;
        }
        String key = e.name().substring(storagePrefix.length());
        if (e.method() != ZipDirectory.STORED || e.compressedSize() != e.size()) {
          throw in.error(
              e.dataOffset(), "storage " + e.name() + " is compressed (method " + e.method() + ")");
        }
        if (e.size() == 0) {
          continue;
        }
        DType dtype = pickle.storages().getOrDefault(key, DType.UNKNOWN);
        List<TorchPickle.Named> on = views.getOrDefault(key, List.of());
        String name = on.isEmpty() ? "data/" + key : on.get(0).name();
        List<Long> shape = null;
        if (on.size() == 1 && on.get(0).tensor().offset() == 0) {
          long elements = TensorEntry.elements(on.get(0).tensor().shape());
          if (dtype.width() > 0
              && elements >= 0
              && elements <= e.size() / dtype.width()
              && elements * dtype.width() == e.size()) {
            shape = on.get(0).tensor().shape();
          }
        }
        out.add(
            new TensorEntry(new TensorRegion(file, name, e.dataOffset(), e.size(), dtype), shape));
      }
      return out;
    }
  }
}
