package dev.sluice.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice codec ...}: the egress codec's offline tools. {@code train} builds a model file
 * from the site's own answers; {@code bench} measures a model on a directory of egress streams
 * against gzip and zstd; {@code compress} and {@code decompress} run the codec on stdin.
 */
@Command(
    name = "codec",
    mixinStandardHelpOptions = true,
    description =
        "Train a codec model, measure it on egress streams, compress and decompress with it.",
    subcommands = {
      CodecTrainCommand.class,
      CodecBenchCommand.class,
      CodecCompressCommand.class,
      CodecDecompressCommand.class
    })
final class CodecCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
