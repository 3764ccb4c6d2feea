package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.codec.CodecModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecTrainCommandTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private Path gzip(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return p;
  }

  private static final String ALPACA =
      "{\"model\":\"a\",\"instruction\":\"hi\",\"output\":\"Hello there!\"}\n"
          + "\n"
          + "{\"model\":\"b\",\"instruction\":\"bye\",\"output\":\"Good bye, \\u00e9t\\u00e9.\"}\n";
  private static final String ARENA =
      "{\"model\":\"gpt\",\"prompt\":\"p\",\"answer\":\"```java\\nint x;\\n```\"}\n";

  @Test
  void trainsOnJsonLinesGzippedOrNotAndPlainTextAndWritesTheModel() throws IOException {
    Path a = gzip("alpaca.jsonl.gz", ALPACA);
    Path b = write("arena.jsonl", ARENA);
    // gzip is decided by the magic bytes, not the name
    Path c = gzip("notes.txt", "one text\nover two lines");
    Path model = dir.resolve("models/site.slcm");

    CliRun r =
        CliRun.of(
            "codec",
            "train",
            "--corpus",
            a.toString(),
            b.toString(),
            c.toString(),
            "--out",
            model.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    CodecModel loaded = CodecModel.read(model);
    long textBytes =
        ("Hello there!" + "Good bye, été." + "```java\nint x;\n```" + "one text\nover two lines")
            .getBytes(StandardCharsets.UTF_8)
            .length;
    assertThat(r.out())
        .contains("model written: " + model)
        .contains("texts:         4 from 3 files")
        .contains("text:          " + textBytes + " B")
        .contains("model id:      " + loaded.idHex())
        .contains("file size:     " + HumanBytes.withExact(Files.size(model)))
        .contains("time:");
    // progress on stderr, a line per phase and tenth (stderr is not a terminal here)
    assertThat(r.err()).contains("reading 0%", "reading 100%", "counting 0%", "tuning 100%");
    assertThat(r.err()).contains("writing 100%").doesNotContain("\r");
    // nothing but the model in its directory: the temporary file was renamed
    try (Stream<Path> s = Files.list(model.getParent())) {
      assertThat(s.toList()).containsExactly(model);
    }
  }

  @Test
  void aLineThatIsNotJsonIsNamedByFileAndLineAndNothingIsWritten() throws IOException {
    Path bad = write("bad.jsonl", ALPACA + "{\"output\": oops}\n");
    Path model = write("old.slcm", "the previous model");

    CliRun r = CliRun.of("codec", "train", "--corpus", bad.toString(), "--out", model.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("error: " + bad + ":4: not JSON");
    assertThat(Files.readString(model)).isEqualTo("the previous model");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.toList()).containsExactlyInAnyOrder(bad, model);
    }
  }

  @Test
  void aRecordWithoutTextNamesTheFields() throws IOException {
    Path none = write("none.jsonl", ARENA + "{\"model\":\"m\",\"prompt\":\"p\"}\n");
    Path number = write("number.jsonl", "{\"output\":42}\n");
    Path array = write("array.jsonl", "[1,2]\n");
    Path out = dir.resolve("m.slcm");

    CliRun r1 = CliRun.of("codec", "train", "--corpus", none.toString(), "--out", out.toString());
    CliRun r2 = CliRun.of("codec", "train", "--corpus", number.toString(), "--out", out.toString());
    CliRun r3 = CliRun.of("codec", "train", "--corpus", array.toString(), "--out", out.toString());

    assertThat(r1.exitCode()).isEqualTo(2);
    assertThat(r1.err()).contains(none + ":2: no \"output\" or \"answer\" field");
    assertThat(r2.exitCode()).isEqualTo(2);
    assertThat(r2.err()).contains(number + ":1: field \"output\" is NUMBER, not a string");
    assertThat(r3.exitCode()).isEqualTo(2);
    assertThat(r3.err()).contains(array + ":1: not a JSON object");
    assertThat(out).doesNotExist();
  }

  @Test
  void maxBytesStopsBeforeTheFirstTextThatWouldPassIt() throws IOException {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      lines.append("{\"output\":\"").append("x".repeat(100)).append("\"}\n");
    }
    Path corpus = write("c.jsonl", lines.toString());
    Path out = dir.resolve("m.slcm");

    CliRun r =
        CliRun.of(
            "codec",
            "train",
            "--corpus",
            corpus.toString(),
            "--out",
            out.toString(),
            "--max-bytes",
            "350");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("texts:         3 from 1 file (stopped at --max-bytes 350)");
    assertThat(r.out()).contains("text:          300 B");

    CliRun tooSmall =
        CliRun.of(
            "codec",
            "train",
            "--corpus",
            corpus.toString(),
            "--out",
            out.toString(),
            "--max-bytes",
            "50");
    assertThat(tooSmall.exitCode()).isEqualTo(2);
    assertThat(tooSmall.err()).contains("no text fits in --max-bytes 50");

    CliRun bad =
        CliRun.of(
            "codec",
            "train",
            "--corpus",
            corpus.toString(),
            "--out",
            out.toString(),
            "--max-bytes",
            "lots");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--max-bytes lots");
  }

  @Test
  void missingFilesAndUnwritableOutputsAreIoErrors() throws IOException {
    Path corpus = write("c.txt", "some text");
    CliRun missing =
        CliRun.of(
            "codec",
            "train",
            "--corpus",
            dir.resolve("nope.jsonl").toString(),
            "--out",
            dir.resolve("m").toString());
    assertThat(missing.exitCode()).isEqualTo(3);
    assertThat(missing.err()).contains("no corpus file at " + dir.resolve("nope.jsonl"));

    Path blocker = write("file", "not a directory");
    CliRun unwritable =
        CliRun.of(
            "codec",
            "train",
            "--corpus",
            corpus.toString(),
            "--out",
            blocker.resolve("m.slcm").toString());
    assertThat(unwritable.exitCode()).isEqualTo(3);
    assertThat(Files.exists(blocker.resolve("m.slcm"))).isFalse();
    assertThat(Files.readString(blocker)).isEqualTo("not a directory");

    CliRun empty =
        CliRun.of(
            "codec",
            "train",
            "--corpus",
            write("e.jsonl", "\n\n").toString(),
            "--out",
            dir.resolve("m").toString());
    assertThat(empty.exitCode()).isEqualTo(2);
    assertThat(empty.err()).contains("no training text");
    assertThat(dir.resolve("m")).doesNotExist();

    assertThat(CliRun.of("codec", "train", "--out", "x").exitCode()).isEqualTo(2);
  }

  @Test
  void onATerminalTheBarIsOneLineRedrawnInPlace() {
    StringWriter err = new StringWriter();
    ProgressBar bar = new ProgressBar(new PrintWriter(err), true);
    for (int i = 0; i <= 1000; i++) {
      bar.update("reading", i, 1000);
    }
    bar.update("training", 0, 0);
    bar.finish();
    String s = err.toString();
    assertThat(s).contains("\rreading    [" + "#".repeat(15) + " ".repeat(15) + "]  50%");
    assertThat(s).contains("\rreading    [" + "#".repeat(30) + "] 100%");
    assertThat(s).contains("\rtraining   ...");
    // one redraw per whole percent, not per update
    assertThat(s.split("\rreading", -1)).hasSize(102);
    assertThat(s.chars().filter(c -> c == '\n').count()).isEqualTo(2);
  }

  @Test
  void offATerminalTheBarPrintsEveryTenth() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintWriter w = new PrintWriter(sink, true, StandardCharsets.UTF_8);
    ProgressBar bar = new ProgressBar(w, false);
    for (int i = 0; i <= 1000; i++) {
      bar.update("reading", i, 1000);
    }
    bar.finish();
    assertThat(sink.toString(StandardCharsets.UTF_8).lines().toList())
        .containsExactly(
            "reading 0%",
            "reading 10%",
            "reading 20%",
            "reading 30%",
            "reading 40%",
            "reading 50%",
            "reading 60%",
            "reading 70%",
            "reading 80%",
            "reading 90%",
            "reading 100%");
  }
}
