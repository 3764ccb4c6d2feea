package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import dev.sluice.codec.sample.Tokenizer;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replay upstream against OpenAI's own Java SDK: if the SDK, with response validation on,
 * reassembles every corpus answer exactly, streamed and not, the server speaks the API.
 */
@Timeout(120)
class OpenAiSdkTest {
  private static ReplayUpstream upstream;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    upstream = ReplayUpstream.start(sample(), DemoOptions.defaults());
    client = client(upstream.baseUrl());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * Held-out answers of both corpus files: the first of each, plus the longest and the ones with
   * the most non-ASCII characters, so escaping, surrogate pairs and long streams are covered.
   */
  private static List<Answer> sample() {
    List<Answer> out = new ArrayList<>();
    for (String file : List.of(CorpusAnswers.ARENA_HARD, CorpusAnswers.ALPACA_EVAL)) {
      List<Answer> test = CorpusAnswers.load(file, Split.TEST);
      out.addAll(test.subList(0, 8));
      out.add(test.stream().max(Comparator.comparingInt(a -> a.text().length())).orElseThrow());
      test.stream()
          .sorted(Comparator.comparingLong(OpenAiSdkTest::nonAscii).reversed())
          .limit(3)
          .forEach(out::add);
    }
    return out;
  }

  private static long nonAscii(Answer a) {
    return a.text().chars().filter(c -> c > 127).count();
  }

  private static OpenAIClient client(String baseUrl) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(baseUrl)
        .apiKey("sk-test")
        .maxRetries(0)
        .timeout(Duration.ofSeconds(30))
        .responseValidation(true)
        .build();
  }

  private static ChatCompletionCreateParams.Builder params(int index) {
    return ChatCompletionCreateParams.builder()
        .model("gpt-4o")
        .addUserMessage(upstream.answers().get(index).prompt())
        .putAdditionalBodyProperty(ReplayUpstream.ANSWER_INDEX, JsonValue.from(index));
  }

  @Test
  void nonStreamingReturnsTheExactAnswer() {
    for (int i = 0; i < upstream.answers().size(); i++) {
      ChatCompletion c = client.chat().completions().create(params(i).build());
      assertThat(c.model()).isEqualTo("gpt-4o");
      assertThat(c.choices()).hasSize(1);
      ChatCompletion.Choice choice = c.choices().get(0);
      assertThat(choice.message().content()).hasValue(upstream.answers().get(i).text());
      assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
      CompletionUsage usage = c.usage().orElseThrow();
      assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
    }
  }

  @Test
  void streamingReassemblesTheExactAnswer() {
    for (int i = 0; i < upstream.answers().size(); i++) {
      ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
      StringBuilder text = new StringBuilder();
      List<String> ids = new ArrayList<>();
      try (StreamResponse<ChatCompletionChunk> stream =
          client.chat().completions().createStreaming(params(i).build())) {
        stream.stream()
            .forEach(
                chunk -> {
                  accumulator.accumulate(chunk);
                  ids.add(chunk.id());
                  chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
                });
      }
      String expected = upstream.answers().get(i).text();
      assertThat(text.toString()).isEqualTo(expected);
      // One chunk per o200k token (the demo cuts as real servers do), plus the role and finish.
      assertThat(ids)
          .hasSize(Tokenizer.o200k().pieces(expected).size() + 2)
          .containsOnly(ids.get(0));
      ChatCompletion whole = accumulator.chatCompletion();
      assertThat(whole.choices().get(0).message().content()).hasValue(expected);
      assertThat(whole.choices().get(0).finishReason())
          .isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }
  }

  @Test
  void streamOptionsIncludeUsageAddsAUsageChunk() {
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    ChatCompletionCreateParams p =
        params(0)
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
            .build();
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(p)) {
      stream.stream().forEach(chunks::add);
    }
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    CompletionUsage usage = last.usage().orElseThrow();
    assertThat(usage.completionTokens()).isEqualTo(chunks.size() - 3);
    assertThat(chunks.subList(0, chunks.size() - 1))
        .allSatisfy(c -> assertThat(c.usage()).isEmpty());
  }

  @Test
  void maxTokensCutsTheAnswer() {
    ChatCompletion c = client.chat().completions().create(params(0).maxCompletionTokens(5).build());
    ChatCompletion.Choice choice = c.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(upstream.answers().get(0).text())
        .startsWith(choice.message().content().orElseThrow());
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(5);
  }

  @Test
  void withoutAnIndexThePromptPicksTheAnswer() {
    String prompt = "Which answer do I get?";
    ChatCompletion c =
        client
            .chat()
            .completions()
            .create(ChatCompletionCreateParams.builder().model("m").addUserMessage(prompt).build());
    int expected = ReplayUpstream.indexOf(prompt, upstream.answers().size());
    assertThat(c.choices().get(0).message().content())
        .hasValue(upstream.answers().get(expected).text());
  }

  @Test
  void listsTheModels() {
    assertThat(client.models().list().data()).extracting(Model::id).containsExactly("sluice-demo");
  }

  @Test
  void errorsReachTheSdkAsItsExceptions() {
    assertThatThrownBy(
            () ->
                client
                    .chat()
                    .completions()
                    .create(
                        params(0)
                            .putAdditionalBodyProperty(
                                ReplayUpstream.ANSWER_INDEX, JsonValue.from(99_999))
                            .build()))
        .isInstanceOfSatisfying(
            BadRequestException.class, e -> assertThat(e.type()).hasValue("invalid_request_error"))
        .hasMessageContaining(ReplayUpstream.ANSWER_INDEX);
    OpenAIClient wrongPath = client(upstream.baseUrl() + "/nope");
    try {
      assertThatThrownBy(() -> wrongPath.chat().completions().create(params(0).build()))
          .isInstanceOf(NotFoundException.class)
          .hasMessageContaining("Invalid URL (POST /v1/nope/chat/completions)");
    } finally {
      wrongPath.close();
    }
  }
}
