package dev.sluice.cli;

import dev.sluice.ledger.OperatorKeys;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice operator keygen --name NAME --out DIR}: a new Ed25519 key for a change-control
 * operator. Writes {@code DIR/NAME.key} (the private key, created with mode 0600 atomically, never
 * overwritten) and {@code DIR/NAME.pub} (one line: the public key exactly as {@code
 * change_control.operators.NAME} takes it). Formats: {@link OperatorKeys}.
 */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description = "Operator keys for change control.",
    subcommands = {OperatorCommand.Keygen.class})
final class OperatorCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "keygen",
      mixinStandardHelpOptions = true,
      description = "Write NAME.key (mode 0600) and NAME.pub for a new operator key.")
  static final class Keygen implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Operator name.")
    String name;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write.")
    Path out;

    @Override
    public Integer call() {
      try {
        OperatorKeys.checkName(name);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--name " + name + ": " + e.getMessage());
      }
      OperatorKeys.Private key = OperatorKeys.generate(name, new SecureRandom());
      Path keyFile = out.resolve(name + ".key");
      Path pubFile = out.resolve(name + ".pub");
      try {
        Files.createDirectories(out);
        if (Files.exists(pubFile)) {
          throw new FileAlreadyExistsException(pubFile.toString());
        }
        writeSecret(keyFile, key.encode() + "\n");
        Files.writeString(pubFile, key.publicText() + "\n", StandardCharsets.US_ASCII);
      } catch (FileAlreadyExistsException e) {
        return Failures.report(
            spec,
            new CommandFailure(
                SluiceCli.EXIT_USAGE, e.getFile() + " exists; keys are never overwritten"));
      } catch (IOException e) {
        return Failures.report(
            spec, new CommandFailure(SluiceCli.EXIT_IO, "cannot write the key: " + e));
      }
      var o = spec.commandLine().getOut();
      o.printf("wrote %s (private, mode 0600) and %s%n", keyFile, pubFile);
      o.printf("add to change_control.operators:%n  %s: \"%s\"%n", name, key.publicText());
      o.flush();
      return 0;
    }

    private static void writeSecret(Path file, String text) throws IOException {
      FileAttribute<?>[] attrs =
          FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
              ? new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
              }
              : new FileAttribute<?>[0];
      try (FileChannel ch =
          FileChannel.open(
              file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
        ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
    }
  }
}
