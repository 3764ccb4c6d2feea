package dev.sluice.cli;

import dev.sluice.codec.CodecModel;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --model MODEL} option of the codec commands (a picocli mixin): a model file, or the
 * one built into the jar when the option is not given.
 */
final class ModelOption {

  @Option(
      names = "--model",
      paramLabel = "MODEL",
      description = "Codec model file (default: the model built into sluice).")
  Path file;

  /** Loads the model; a missing or unreadable file is an I/O failure (exit 3). */
  CodecModel load() throws CommandFailure {
    if (file == null) {
      return CodecModel.builtIn();
    }
    try {
      return CodecModel.read(file);
    } catch (NoSuchFileException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "no model file at " + file);
    } catch (IOException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO, "cannot load the model " + file + ": " + e.getMessage());
    }
  }
}
