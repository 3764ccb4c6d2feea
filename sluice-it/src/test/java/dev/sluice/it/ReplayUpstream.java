package dev.sluice.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.demo.AnswerSource;
import dev.sluice.demo.ChatRequest;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.DemoUpstream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The demo upstream replaying real corpus answers, for end-to-end tests: each request gets one
 * answer of the given list, chosen by the request alone. A request may name it with the extension
 * field {@value #ANSWER_INDEX} (an index into the list; out of range is a {@code 400}); otherwise a
 * hash of the last user message picks it, so the same prompt always gets the same answer.
 */
final class ReplayUpstream implements AutoCloseable {

  /** The request body field that picks an answer by index. */
  static final String ANSWER_INDEX = "sluice_answer_index";

  private final List<CorpusAnswers.Answer> answers;
  private final DemoUpstream upstream;

  private ReplayUpstream(List<CorpusAnswers.Answer> answers, DemoUpstream upstream) {
    this.answers = answers;
    this.upstream = upstream;
  }

  /** Starts on {@code 127.0.0.1}, port 0. */
  static ReplayUpstream start(List<CorpusAnswers.Answer> answers, DemoOptions options) {
    if (answers.isEmpty()) {
      throw new IllegalArgumentException("no answers to replay");
    }
    List<CorpusAnswers.Answer> list = List.copyOf(answers);
    DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0, source(list), options);
    return new ReplayUpstream(list, upstream);
  }

  /** The answer source: by {@value #ANSWER_INDEX}, else by the prompt's hash. */
  static AnswerSource source(List<CorpusAnswers.Answer> answers) {
    return request -> answers.get(indexFor(request, answers.size())).text();
  }

  static int indexFor(ChatRequest request, int size) {
    Optional<JsonNode> named = request.extension(ANSWER_INDEX);
    if (named.isEmpty()) {
      return indexOf(request.lastUserMessage(), size);
    }
    JsonNode n = named.get();
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 0 || n.intValue() >= size) {
      throw new IllegalArgumentException(
          ANSWER_INDEX + " must be an integer in 0.." + (size - 1) + ", got " + n);
    }
    return n.intValue();
  }

  /** The index a prompt without {@value #ANSWER_INDEX} gets: FNV-1a of its UTF-8 bytes. */
  static int indexOf(String prompt, int size) {
    long h = 0xcbf29ce484222325L;
    for (byte b : prompt.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return (int) Long.remainderUnsigned(h, size);
  }

  List<CorpusAnswers.Answer> answers() {
    return answers;
  }

  /** {@code http://127.0.0.1:PORT/v1}. */
  String baseUrl() {
    return upstream.baseUrl();
  }

  /** The bound address. */
  java.net.InetSocketAddress address() {
    return upstream.address();
  }

  /** {@code http://127.0.0.1:PORT}: the upstream URL of a gateway listener in front of this. */
  String rootUrl() {
    String base = upstream.baseUrl();
    return base.substring(0, base.length() - "/v1".length());
  }

  @Override
  public void close() {
    upstream.close();
  }
}
