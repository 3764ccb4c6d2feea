package dev.sluice.cli;

import dev.sluice.codec.CodecFile;
import dev.sluice.codec.CodecModel;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice codec compress [--model MODEL]}: stdin to stdout in the {@link CodecFile} format.
 * Exit 0, or 3 when the model or a stream cannot be read or written.
 */
@Command(
    name = "compress",
    mixinStandardHelpOptions = true,
    description = {
      "Compress stdin to stdout with the codec (format: docs/formats/codec-file-v2.md).",
      "Decompress with the same model file."
    })
final class CodecCompressCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOption modelOption;

  @Override
  public Integer call() {
    try {
      CodecModel model = modelOption.load();
      SluiceCli.Io io = SluiceCli.io(spec);
      OutputStream out = new BufferedOutputStream(io.stdout(), 1 << 16);
      try {
        CodecFile.compress(model, io.stdin(), out);
        out.flush();
      } catch (IOException e) {
        throw new CommandFailure(SluiceCli.EXIT_IO, "compress: " + e);
      }
      return 0;
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    }
  }
}
