package dev.sluice.detect.fingerprint;

import dev.sluice.detect.format.OnnxReader;
import dev.sluice.detect.format.TensorEntry;
import dev.sluice.detect.format.TensorRegion;
import dev.sluice.detect.format.fixtures.RealModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real float32 all-MiniLM-L6-v2 model indexed once per JVM: its tensor regions read by {@link
 * OnnxReader}, fingerprinted, written to an index file and read back (so every test goes through
 * the file format), with the file's bytes for cutting slices.
 */
final class IndexedModel {

  static final IndexedModel FP32 = load();

  final Path file;
  final byte[] bytes;
  final List<TensorRegion> regions;
  final FingerprintIndex index;
  final long indexFileSize;

  private IndexedModel(
      Path file, byte[] bytes, List<TensorRegion> regions, FingerprintIndex index, long size) {
    this.file = file;
    this.bytes = bytes;
    this.regions = regions;
    this.index = index;
    this.indexFileSize = size;
  }

  private static IndexedModel load() {
    try {
      Path file = RealModels.fp32();
      List<TensorRegion> regions =
          new OnnxReader().read(file).stream().map(TensorEntry::region).toList();
      FingerprintIndexBuilder b = new FingerprintIndexBuilder(ChunkParams.DEFAULT);
      b.add(file, RealModels.FP32, regions, n -> {});
      Path out = Files.createTempFile("fp32", ".sfi");
      FingerprintIndexFile.write(b.build(), out);
      FingerprintIndex index = FingerprintIndexFile.read(out, ChunkParams.DEFAULT);
      long size = Files.size(out);
      Files.delete(out);
      return new IndexedModel(file, Files.readAllBytes(file), regions, index, size);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IndexFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first and one past the last tensor byte of the file. */
  long tensorsStart() {
    return regions.stream().mapToLong(TensorRegion::offset).min().orElseThrow();
  }

  long tensorsEnd() {
    return regions.stream().mapToLong(TensorRegion::end).max().orElseThrow();
  }
}
