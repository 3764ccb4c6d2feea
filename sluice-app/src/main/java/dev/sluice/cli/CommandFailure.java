package dev.sluice.cli;

/**
 * A command cannot do its job, with the one line to tell the operator and the exit code ({@link
 * SluiceCli#EXIT_USAGE}, {@link SluiceCli#EXIT_IO}, ...). Commands catch it, print {@code error:
 * MESSAGE} on stderr and exit with the code; no stack trace reaches the operator.
 */
final class CommandFailure extends Exception {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CommandFailure(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
