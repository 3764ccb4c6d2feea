package dev.sluice.codec.sample;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The response shapes of real inference servers, each with a stable name (used in file and
 * directory names and reports), the builder that writes its bodies, the endpoint it answers on and
 * the HTTP head its server sends. Each builder's class comment names its sources.
 */
public enum Family {
  OPENAI_CHAT("openai-chat", new OpenAiChat(), "/v1/chat/completions", ".sse", Heads.OPENAI_SSE),
  OPENAI_TOOLS("openai-tools", new OpenAiTools(), "/v1/chat/completions", ".sse", Heads.OPENAI_SSE),
  OPENAI_RESPONSES(
      "openai-responses", new OpenAiResponses(), "/v1/responses", ".sse", Heads.OPENAI_SSE),
  ANTHROPIC("anthropic", new AnthropicMessages(), "/v1/messages", ".sse", Heads.ANTHROPIC),
  OLLAMA_CHAT("ollama-chat", new OllamaChat(), "/api/chat", ".ndjson", Heads.OLLAMA_NDJSON),
  OLLAMA_GENERATE(
      "ollama-generate", new OllamaGenerate(), "/api/generate", ".ndjson", Heads.OLLAMA_NDJSON),
  VLLM("vllm", new VllmChat(), "/v1/chat/completions", ".sse", Heads.UVICORN_SSE),
  TGI("tgi", new TgiChat(), "/v1/chat/completions", ".sse", Heads.TGI),
  LLAMACPP("llamacpp", new LlamaCppChat(), "/v1/chat/completions", ".sse", Heads.LLAMACPP),
  PYTHON_SSE("python-sse", new PythonSse(), "/v1/chat/completions", ".sse", Heads.SSE_STARLETTE),
  OPENAI_JSON("openai-json", new OpenAiJson(), "/v1/chat/completions", ".json", Heads.OPENAI_JSON),
  OLLAMA_JSON("ollama-json", new OllamaJson(), "/api/chat", ".json", Heads.OLLAMA_JSON);

  private final String id;
  private final FamilyBuilder builder;
  private final String endpoint;
  private final String extension;
  private final List<Header> headers;

  Family(
      String id, FamilyBuilder builder, String endpoint, String extension, List<Header> headers) {
    this.id = id;
    this.builder = builder;
    this.endpoint = endpoint;
    this.extension = extension;
    this.headers = headers;
  }

  /** The stable name, e.g. {@code openai-chat}. */
  public String id() {
    return id;
  }

  /** The request path the server answers on, e.g. {@code /v1/chat/completions}. */
  public String endpoint() {
    return endpoint;
  }

  /** File name extension of a body: {@code .sse}, {@code .ndjson} or {@code .json}. */
  public String extension() {
    return extension;
  }

  /** False for the one-object JSON bodies, sent with a {@code Content-Length}. */
  public boolean streaming() {
    return !extension.equals(".json");
  }

  /**
   * The response headers in the server's order and spelling; {@link Header#DATE} and {@link
   * Header#FRAMING} stand for the date and for {@code Transfer-Encoding} or {@code Content-Length}.
   */
  public List<Header> headers() {
    return headers;
  }

  /** The {@code Content-Type} this server sends. */
  public String contentType() {
    for (Header h : headers) {
      if (h.name().equalsIgnoreCase("content-type")) {
        return h.value();
      }
    }
    throw new IllegalStateException(id + " has no content type");
  }

  /** Builds a body: see {@link FamilyBuilder#build}. */
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    return builder.build(text, tokenizer, random, options);
  }

  /** The family named {@code id}. */
  public static Family byId(String id) {
    for (Family f : values()) {
      if (f.id.equals(id)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown stream family \""
            + id
            + "\"; known: "
            + Arrays.stream(values()).map(Family::id).collect(Collectors.joining(", ")));
  }

  /** One response header; the value may be a placeholder the framing fills in. */
  public record Header(String name, String value) {
    /** Stands for the HTTP date of the response. */
    public static final String DATE = "{date}";

    /** Stands for {@code chunked}, or the body's length under a Content-Length name. */
    public static final String FRAMING = "{framing}";
  }

  /**
   * Representative heads: the content type, date and framing are each server's; other headers show
   * each server's spelling and count, not every header a deployment adds.
   */
  private static final class Heads {
    static final List<Header> OPENAI_SSE =
        openai("text/event-stream; charset=utf-8", "Transfer-Encoding");
    static final List<Header> OPENAI_JSON = openai("application/json", "Content-Length");
    static final List<Header> ANTHROPIC =
        List.of(
            new Header("Date", Header.DATE),
            new Header("Content-Type", "text/event-stream; charset=utf-8"),
            new Header("Transfer-Encoding", Header.FRAMING),
            new Header("Connection", "keep-alive"),
            new Header("Cache-Control", "no-cache"),
            new Header("Server", "cloudflare"));
    static final List<Header> OLLAMA_NDJSON = go("application/x-ndjson", "Transfer-Encoding");
    static final List<Header> OLLAMA_JSON = go("application/json; charset=utf-8", "Content-Length");
    static final List<Header> UVICORN_SSE =
        List.of(
            new Header("date", Header.DATE),
            new Header("server", "uvicorn"),
            new Header("content-type", "text/event-stream; charset=utf-8"),
            new Header("transfer-encoding", Header.FRAMING));
    static final List<Header> SSE_STARLETTE =
        List.of(
            new Header("date", Header.DATE),
            new Header("server", "uvicorn"),
            new Header("cache-control", "no-store"),
            new Header("connection", "keep-alive"),
            new Header("x-accel-buffering", "no"),
            new Header("content-type", "text/event-stream; charset=utf-8"),
            new Header("transfer-encoding", Header.FRAMING));
    static final List<Header> TGI =
        List.of(
            new Header("content-type", "text/event-stream"),
            new Header("cache-control", "no-cache"),
            new Header("access-control-allow-origin", "*"),
            new Header("transfer-encoding", Header.FRAMING),
            new Header("date", Header.DATE));
    static final List<Header> LLAMACPP =
        List.of(
            new Header("Access-Control-Allow-Origin", ""),
            new Header("Content-Type", "text/event-stream"),
            new Header("Keep-Alive", "timeout=5, max=100"),
            new Header("Server", "llama.cpp"),
            new Header("Transfer-Encoding", Header.FRAMING));

    private static List<Header> openai(String contentType, String framing) {
      return List.of(
          new Header("Date", Header.DATE),
          new Header("Content-Type", contentType),
          new Header(framing, Header.FRAMING),
          new Header("Connection", "keep-alive"),
          new Header("openai-version", "2020-10-01"),
          new Header("Server", "cloudflare"));
    }

    /** Go's net/http writes header names sorted. */
    private static List<Header> go(String contentType, String framing) {
      return framing.equals("Content-Length")
          ? List.of(
              new Header("Content-Length", Header.FRAMING),
              new Header("Content-Type", contentType),
              new Header("Date", Header.DATE))
          : List.of(
              new Header("Content-Type", contentType),
              new Header("Date", Header.DATE),
              new Header("Transfer-Encoding", Header.FRAMING));
    }
  }
}
