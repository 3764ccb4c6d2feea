package dev.sluice.cli;

import dev.sluice.time.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;
import picocli.CommandLine;

/** Runs the sluice command line in-process and captures its exit code and output. */
record CliRun(int exitCode, String out, String err) {

  static CliRun of(String... args) {
    return of(cl -> {}, args);
  }

  /** Runs with an empty stdin and a manual clock; {@code setup} may reach into the commands. */
  static CliRun of(Consumer<CommandLine> setup, String... args) {
    Piped p = piped(new ByteArrayInputStream(new byte[0]), setup, args);
    return new CliRun(p.exitCode(), p.out(), p.err());
  }

  /** A run whose binary stdin and stdout are given and captured (codec compress|decompress). */
  record Piped(int exitCode, byte[] stdout, String out, String err) {}

  static Piped piped(byte[] stdin, String... args) {
    return piped(new ByteArrayInputStream(stdin), cl -> {}, args);
  }

  static Piped piped(InputStream stdin, OutputStream stdout, String... args) {
    return run(stdin, stdout, cl -> {}, args);
  }

  private static Piped piped(InputStream stdin, Consumer<CommandLine> setup, String... args) {
    return run(stdin, new ByteArrayOutputStream(), setup, args);
  }

  private static Piped run(
      InputStream stdin, OutputStream stdout, Consumer<CommandLine> setup, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    SluiceCli.Io io =
        new SluiceCli.Io(stdin, stdout, ManualClock.at("2026-11-23T04:00:00Z"), false);
    CommandLine cl = SluiceCli.newCommandLine(io);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    setup.accept(cl);
    int code = cl.execute(args);
    byte[] bytes = stdout instanceof ByteArrayOutputStream b ? b.toByteArray() : new byte[0];
    return new Piped(code, bytes, out.toString(), err.toString());
  }
}
