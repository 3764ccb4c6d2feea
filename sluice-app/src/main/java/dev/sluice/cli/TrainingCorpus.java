package dev.sluice.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

/**
 * Reads the texts of {@code sluice codec train --corpus} files, one file at a time.
 *
 * <ul>
 *   <li>A file whose name ends with {@code .jsonl} or {@code .ndjson} (before an optional {@code
 *       .gz}) is JSON Lines, as in {@code ../shared/corpus}: one JSON object a line, the text in
 *       its {@code output} field (AlpacaEval) or, failing that, its {@code answer} field
 *       (Arena-Hard). Blank lines are skipped; any other line that is not such an object is an
 *       error naming the file, the line and the field.
 *   <li>Any other file is one text: all of it, as UTF-8.
 * </ul>
 *
 * <p>Either kind may be gzip-compressed: that is decided by the magic bytes {@code 1f 8b}, not by
 * the name. Reading streams: a JSONL file is never held in memory as a whole.
 */
final class TrainingCorpus {

  /** Where the texts go; returns false to stop reading (a cap is reached). */
  @FunctionalInterface
  interface TextSink {
    boolean accept(String text);
  }

  /** A line of a JSONL corpus that is not a training record; the message names file and line. */
  static final class BadRecord extends Exception {
    private static final long serialVersionUID = 1L;

    BadRecord(Path file, long line, String what) {
      super(file + ":" + line + ": " + what, null, false, false);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] FIELDS = {"output", "answer"};

  private TrainingCorpus() {}

  /** True if {@code file} is read as JSON Lines (by its name), false if it is one text. */
  static boolean isJsonLines(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    return name.endsWith(".jsonl") || name.endsWith(".ndjson");
  }

  /**
   * Feeds the texts of {@code file} to {@code sink} until it returns false.
   *
   * @param fileBytesRead told the bytes of the file (as stored, compressed or not) read so far
   * @return false if the sink stopped the reading
   */
  static boolean read(Path file, TextSink sink, LongConsumer fileBytesRead)
      throws IOException, BadRecord {
    try (InputStream in = open(file, fileBytesRead)) {
      if (!isJsonLines(file)) {
        return sink.accept(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      long lineNo = 0;
      for (String line; (line = r.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        if (!sink.accept(text(file, lineNo, line))) {
          return false;
        }
      }
      return true;
    }
  }

  /** The text of one JSONL record. */
  static String text(Path file, long lineNo, String line) throws BadRecord {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new BadRecord(file, lineNo, "not JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new BadRecord(file, lineNo, "not a JSON object");
    }
    for (String field : FIELDS) {
      JsonNode v = n.get(field);
      if (v == null) {
        continue;
      }
      if (!v.isTextual()) {
        throw new BadRecord(
            file, lineNo, "field \"" + field + "\" is " + v.getNodeType() + ", not a string");
      }
      return v.textValue();
    }
    throw new BadRecord(file, lineNo, "no \"output\" or \"answer\" field (the text to train on)");
  }

  /** The file's content, gunzipped when it starts with the gzip magic. */
  private static InputStream open(Path file, LongConsumer fileBytesRead) throws IOException {
    InputStream raw = new Counting(Files.newInputStream(file), fileBytesRead);
    BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
    try {
      in.mark(2);
      boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
      in.reset();
      return gzip ? new GZIPInputStream(in, 1 << 16) : in;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** Tells a listener how many bytes were read through it. */
  private static final class Counting extends FilterInputStream {
    private final LongConsumer listener;
    private long count;

    Counting(InputStream in, LongConsumer listener) {
      super(in);
      this.listener = listener;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        listener.accept(++count);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
        listener.accept(count);
      }
      return n;
    }
  }
}
