package dev.sluice.cli;

import dev.sluice.codec.CodecFile;
import dev.sluice.codec.CodecModel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice codec decompress [--model MODEL]}: restores what {@code codec compress} wrote,
 * stdin to stdout, checking every segment before writing it. Exit 0 only when the whole input was
 * restored and its length and CRC match; 1 for input that is corrupt, truncated or compressed with
 * another model (the message names the byte offset; what was written before is an incomplete
 * prefix, discard it); 3 when the model or a stream cannot be read or written.
 */
@Command(
    name = "decompress",
    mixinStandardHelpOptions = true,
    description = {
      "Restore stdin, written by codec compress, to stdout, with the same model file.",
      "Exit 1 (naming the byte offset) for corrupt, truncated or another model's input: then"
          + " discard the partial output."
    })
final class CodecDecompressCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ModelOption modelOption;

  @Override
  public Integer call() {
    try {
      CodecModel model = modelOption.load();
      SluiceCli.Io io = SluiceCli.io(spec);
      OutputStream out = new BufferedOutputStream(io.stdout(), 1 << 16);
      try {
        CodecFile.decompress(model, new BufferedInputStream(io.stdin(), 1 << 16), out);
        out.flush();
      } catch (CodecFile.Rejected e) {
        flushQuietly(out);
        throw new CommandFailure(SluiceCli.EXIT_CHECK_FAILED, "stdin, " + e.getMessage());
      } catch (IOException e) {
        throw new CommandFailure(SluiceCli.EXIT_IO, "decompress: " + e);
      }
      return 0;
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    }
  }

  private static void flushQuietly(OutputStream out) {
    try {
      out.flush();
    } catch (IOException e) {
      // The input was already rejected; that is the error to report.
    }
  }
}
