package dev.sluice.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Turns a YAML file into a validated, immutable {@link SluiceConfig}, once, at start.
 *
 * <p>Control plane rules: nothing here throws for bad content. Every problem in the file is
 * collected (unknown and duplicate keys, wrong types, bad values, cross-references) and returned at
 * once, in line order, each with its file, line, dotted key path and the offending value; a
 * configuration is returned only when there are no errors. Warnings (a child cap above its
 * parent's, {@code mode: report}) never stop a load.
 *
 * <p>Intentional decisions, so nobody "fixes" them: unknown keys are errors, not ignored (a typo in
 * a cap must not silently mean "no cap"); YAML is read with the 1.2 core schema and walked node by
 * node rather than bound to classes, so every value keeps its line and no tag can construct
 * objects; relative paths stay relative to the working directory, as written.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /** Loads {@code file}; an unreadable file or non-UTF-8 bytes become a problem too. */
  public static ConfigResult load(Path file) {
    String source = file.toString();
    Problems problems = new Problems(source);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      problems.error(0, "", "no such file", null);
      return problems.result(null);
    } catch (IOException e) {
      problems.error(0, "", "cannot read the file: " + e, null);
      return problems.result(null);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      problems.error(0, "", "the file is not valid UTF-8", null);
      return problems.result(null);
    }
    return parse(problems, text, bytes);
  }

  /** Parses {@code yaml}; {@code sourceName} names it in problems. The hash is of its UTF-8. */
  public static ConfigResult parse(String sourceName, String yaml) {
    return parse(new Problems(sourceName), yaml, yaml.getBytes(StandardCharsets.UTF_8));
  }

  private static ConfigResult parse(Problems problems, String text, byte[] bytes) {
    String source = problems.source();
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    Node root = YamlDocument.compose(source, body, problems);
    SluiceConfig config = null;
    if (root != null) {
      try {
        config = SluiceConfigReader.read(new Cursor(root, "", problems), source, sha256Hex(bytes));
      } catch (IllegalArgumentException e) {
        // A record refused what the readers let through: a bug, but still not a crash at start.
        problems.error(0, "", "invalid configuration: " + e.getMessage(), null);
      }
    }
    if (config == null && problems.errorCount() == 0) {
      problems.error(0, "", "invalid configuration", null);
    }
    return problems.result(config);
  }

  /** Lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  /** Every problem of {@code result}, errors first, one formatted line each. */
  public static List<String> formatAll(ConfigResult result) {
    return Stream.concat(result.errors().stream(), result.warnings().stream())
        .map(ConfigProblem::format)
        .toList();
  }
}
