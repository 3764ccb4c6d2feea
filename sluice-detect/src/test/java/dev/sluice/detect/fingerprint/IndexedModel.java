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
 * The real float32 all-MiniLM-L6-v2 model indexed once per JVM (per scheme): its tensor regions
 * read by {@link OnnxReader}, fingerprinted, written to an index file and read back (so every test
 * goes through the file format), with the file's bytes for cutting slices.
 */
final class IndexedModel {

  /** Indexed with the default scheme, anchored segments (index v2). */
  static final IndexedModel FP32 = load(AnchorParams.DEFAULT);

  /** Indexed with content-defined chunks (index v1), loaded when first used. */
  static IndexedModel chunked() {
    return Chunked.MODEL;
  }

  private static final class Chunked {
    static final IndexedModel MODEL = load(ChunkParams.DEFAULT);
  }

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

  private static IndexedModel load(IndexScheme scheme) {
    try {
      Path file = RealModels.fp32();
      List<TensorRegion> regions =
          new OnnxReader().read(file).stream().map(TensorEntry::region).toList();
      FingerprintIndexBuilder b = new FingerprintIndexBuilder(scheme);
      b.add(file, RealModels.FP32, regions, n -> {});
      Path out = Files.createTempFile("fp32", ".sfi");
      FingerprintIndexFile.write(b.build(), out);
      FingerprintIndex index = FingerprintIndexFile.read(out, scheme);
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
