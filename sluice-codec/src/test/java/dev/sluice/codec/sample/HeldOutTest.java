package dev.sluice.codec.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeldOutTest {

  @Test
  void readsStringMembersAndSkipsTheRest() {
    Map<String, String> f =
        JsonFields.read(
            " {\"n\": -1.5e3, \"a\": [1, {\"x\": [true, false, null]}], \"model\":\"m\\u00e9\","
                + " \"output\":\"l1\\nl2 \\\"q\\\" \\\\ \\/ \\ud83d\\ude00\", \"o\": {}} ",
            Set.of("model", "output"));
    assertThat(f)
        .containsOnly(Map.entry("model", "mé"), Map.entry("output", "l1\nl2 \"q\" \\ / 😀"));
  }

  @Test
  void errorsNameTheOffset() {
    assertThatThrownBy(() -> JsonFields.read("{\"a\": tru}", Set.of("a")))
        .hasMessageContaining("offset 6");
    assertThatThrownBy(() -> JsonFields.read("{\"a\": \"x\\q\"}", Set.of("a")))
        .hasMessage("bad escape at offset 9");
    assertThatThrownBy(() -> JsonFields.read("{} x", Set.of()))
        .hasMessage("text after the object at offset 3");
  }

  @Test
  void readsBothCorpusShapesAndNamesABadLine(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("c.jsonl.gz");
    write(
        f,
        "{\"model\":\"m1\",\"instruction\":\"i\",\"output\":\"o \\udc00 x\"}\n\n"
            + "{\"model\":\"m2\",\"prompt\":\"p\",\"answer\":\"a\"}\n");
    assertThat(HeldOut.read(f))
        .containsExactly(
            new HeldOut.Answer("m1", "i", "o \uFFFD x"), new HeldOut.Answer("m2", "p", "a"));
    write(f, "{\"model\":\"m1\"}\n{oops}\n");
    assertThatThrownBy(() -> HeldOut.read(f)).hasMessageContaining("line 2: ");
  }

  @Test
  void theSplitIsTheBenchesFnvSplit() {
    // Values fixed by the split's definition: changing them would change every earlier figure.
    assertThat(HeldOut.fnv1a("")).isEqualTo(0xcbf29ce484222325L);
    assertThat(HeldOut.fnv1a("a")).isEqualTo(0xaf63dc4c8601ec8cL);
    List<HeldOut.Answer> a =
        List.of(
            new HeldOut.Answer("x", "p", "t"),
            new HeldOut.Answer("y", "p", "t"),
            new HeldOut.Answer("z", "p", "t"));
    Set<String> one = HeldOut.heldOutModels(a, 1);
    assertThat(one).hasSize(1);
    for (HeldOut.Answer x : a) {
      assertThat(HeldOut.trainable(x, one))
          .isEqualTo(!HeldOut.heldOutPrompt("p") && !one.contains(x.model()));
    }
  }

  @Test
  void readsTheSharedCorpusAsJacksonDoes() throws IOException {
    Path dir = HeldOut.corpusDir(Path.of(""));
    Path arena = dir.resolve(HeldOut.ARENA_HARD);
    assumeThat(Files.isRegularFile(arena)).as("shared corpus at %s", dir).isTrue();
    List<HeldOut.Answer> ours = HeldOut.read(arena);
    List<HeldOut.Answer> jackson = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(arena)), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        JsonNode n = Bodies.JSON.readTree(line);
        jackson.add(
            new HeldOut.Answer(
                n.path("model").asText(), n.path("prompt").asText(), n.path("answer").asText()));
      }
    }
    assertThat(ours).isEqualTo(jackson);
  }

  private static void write(Path f, String s) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
      out.write(s.getBytes(StandardCharsets.UTF_8));
    }
  }
}
