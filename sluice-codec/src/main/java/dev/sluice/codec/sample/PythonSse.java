package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code python-sse}: an OpenAI-compatible chat stream from a Python server of the common kind,
 * FastAPI with sse-starlette's {@code EventSourceResponse}, whose generator yields {@code
 * json.dumps(chunk)} with the defaults: separators {@code ", "} and {@code ": "}, {@code
 * ensure_ascii=True} (every non-ASCII character as {@code \u00e9}, surrogate pairs above U+FFFF),
 * the chunk a dict in insertion order ({@code id} as {@code chatcmpl-} and {@code uuid4().hex},
 * {@code object}, {@code created}, {@code model}, {@code choices} with {@code index}, {@code
 * delta}, {@code finish_reason}). sse-starlette ends every line with its default separator CRLF:
 * {@code data: ...\r\n\r\n}, and the stream with {@code data: [DONE]}. With {@code include_usage} a
 * {@code "choices": []} chunk with the usage comes before it.
 *
 * <p>Sources: CPython's {@code json.dumps} defaults and {@code Modules/_json.c}; sse-starlette's
 * {@code sse_starlette/event.py} ({@code ServerSentEvent.DEFAULT_SEPARATOR = "\r\n"}, one {@code
 * data: } line per line of data).
 */
public final class PythonSse implements FamilyBuilder {
  static final String MODEL = "mistral-7b-instruct";

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    String id = "chatcmpl-" + Ids.hex(random, 32);
    String model = options.modelOr(MODEL);
    long created = options.createdEpochSecond();
    List<String> pieces = EventPieces.of(text, tokenizer, random, options.tokensPerEvent());
    List<byte[]> writes = new ArrayList<>(pieces.size() + 4);
    writes.add(
        chunk(id, created, model, w -> w.field("role", "assistant").field("content", ""), null));
    for (String piece : pieces) {
      writes.add(chunk(id, created, model, w -> w.field("content", piece), null));
    }
    writes.add(chunk(id, created, model, w -> {}, "stop"));
    if (options.includeUsage()) {
      int completion = tokenizer.count(text);
      JsonWriter w = head(id, created, model).endArray().key("usage").beginObject();
      w.field("prompt_tokens", options.promptTokens()).field("completion_tokens", completion);
      w.field("total_tokens", options.promptTokens() + completion).endObject();
      writes.add(Sse.dataCrlf(w.endObject().toString()));
    }
    writes.add(Sse.dataCrlf("[DONE]"));
    return new FamilyStream(Family.PYTHON_SSE, writes, pieces, text);
  }

  private static byte[] chunk(
      String id,
      long created,
      String model,
      java.util.function.Consumer<JsonWriter> delta,
      String finish) {
    JsonWriter w = head(id, created, model).beginObject().field("index", 0);
    w.key("delta").beginObject();
    delta.accept(w);
    w.endObject().field("finish_reason", finish).endObject().endArray();
    return Sse.dataCrlf(w.endObject().toString());
  }

  private static JsonWriter head(String id, long created, String model) {
    return new JsonWriter(JsonDialect.PYTHON_ASCII, JsonWriter.Layout.PYTHON)
        .beginObject()
        .field("id", id)
        .field("object", "chat.completion.chunk")
        .field("created", created)
        .field("model", model)
        .key("choices")
        .beginArray();
  }
}
