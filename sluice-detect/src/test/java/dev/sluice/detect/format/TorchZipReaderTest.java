package dev.sluice.detect.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.detect.format.fixtures.RealTensors;
import dev.sluice.detect.format.fixtures.RoundTrip;
import dev.sluice.detect.format.fixtures.TorchZipWriter;
import dev.sluice.detect.format.fixtures.WeightTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** torch.save zip checkpoints of the real weights, plain and zip64. */
class TorchZipReaderTest {
  @TempDir Path dir;

  @Test
  void realModelCheckpointReadsBackWithNamesDtypesAndShapesFromThePickle() throws Exception {
    for (List<WeightTensor> tensors : List.of(RealTensors.fp32(), RealTensors.bf16())) {
      Path f = TorchZipWriter.write(dir.resolve(tensors.get(0).dtype() + ".pt"), tensors, false);
      List<TensorEntry> read = new TorchZipReader().read(f);
      RoundTrip.assertSameTensors(tensors, read);
      assertThat(read).allSatisfy(e -> assertThat(e.shape()).isNotNull());
      assertThat(read).allSatisfy(e -> assertThat(e.region().offset() % 64).isZero());
    }
  }

  @Test
  void zip64EntriesAreReadAndTheWriterIsAValidZip() throws Exception {
    List<WeightTensor> tensors = RealTensors.f16().subList(0, 8);
    Path f = TorchZipWriter.write(dir.resolve("z64.pt"), tensors, true);
    RoundTrip.assertSameTensors(tensors, new TorchZipReader().read(f));
    try (ZipFile z = new ZipFile(f.toFile())) { // the JDK agrees with the fixture
      assertThat(z.getInputStream(z.getEntry("archive/data/3")).readAllBytes())
          .isEqualTo(tensors.get(3).bytes());
    }
  }

  @Test
  void aPickleItCannotReadLeavesStoragesUnknownButStillFound() throws Exception {
    List<WeightTensor> tensors = RealTensors.fp32().subList(0, 4);
    Path f = TorchZipWriter.write(dir.resolve("p.pt"), tensors, false);
    byte[] all = Files.readAllBytes(f);
    int at = indexOf(all, "torch._utils".getBytes());
    all[at - 1] = (byte) 0xff; // the GLOBAL opcode before it becomes an unknown opcode
    Files.write(f, all);
    List<TensorEntry> read = new TorchZipReader().read(f);
    assertThat(read).hasSize(4);
    assertThat(read).allSatisfy(e -> assertThat(e.region().dtype()).isEqualTo(DType.UNKNOWN));
    assertThat(read.get(2).region().name()).isEqualTo("data/2");
    assertThat(RealTensors.bytes(read.get(2).region())).isEqualTo(tensors.get(2).bytes());
  }

  @Test
  void truncatedAndNonTorchZipsAreRefused() throws Exception {
    Path f = TorchZipWriter.write(dir.resolve("t.pt"), RealTensors.fp32().subList(0, 3), false);
    byte[] all = Files.readAllBytes(f);
    Path cut = dir.resolve("cut.pt");
    for (int n : new int[] {0, 10, 30, all.length / 2, all.length - 23, all.length - 1}) {
      Files.write(cut, Arrays.copyOf(all, n));
      assertThatThrownBy(() -> new TorchZipReader().read(cut))
          .as("cut at %d", n)
          .isInstanceOf(FormatException.class);
    }
    byte[] renamed = all.clone();
    for (int i = indexOf(renamed, "data.pkl".getBytes());
        i >= 0;
        i = indexOf(renamed, "data.pkl".getBytes())) {
      renamed[i] = 'x';
    }
    Files.write(cut, renamed);
    assertThatThrownBy(() -> new TorchZipReader().read(cut))
        .hasMessageContaining("without data.pkl");
  }

  static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
