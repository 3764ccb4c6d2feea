package dev.sluice.cli;

import dev.sluice.codec.CodecModel;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The {@code --model} of the codec commands: a model file, or the one built into the jar. */
final class CodecModels {

  private CodecModels() {}

  /** Loads {@code path}, or the built-in model when it is null. */
  static CodecModel load(Path path) throws CommandFailure {
    if (path == null) {
      return CodecModel.builtIn();
    }
    try {
      return CodecModel.read(path);
    } catch (NoSuchFileException e) {
      throw new CommandFailure(SluiceCli.EXIT_IO, "no model file at " + path);
    } catch (IOException e) {
      throw new CommandFailure(
          SluiceCli.EXIT_IO, "cannot load the model " + path + ": " + e.getMessage());
    }
  }

  /** E.g. {@code model.slcm (id 3f2a…)}: where the model came from and the start of its id. */
  static String describe(CodecModel model) {
    return model.source() + " (id " + model.idHex().substring(0, 16) + "…)";
  }
}
