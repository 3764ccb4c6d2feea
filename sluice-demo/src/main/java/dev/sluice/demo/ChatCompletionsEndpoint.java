package dev.sluice.demo;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/chat/completions}: parses the request, asks the {@link AnswerSource}, and answers
 * either with one {@code chat.completion} object or, for {@code "stream": true}, with a {@link
 * SseStream}. Invalid requests get OpenAI's {@code 400} error body.
 */
final class ChatCompletionsEndpoint {
  private static final Logger log = LoggerFactory.getLogger(ChatCompletionsEndpoint.class);

  private final AnswerSource source;
  private final CompletionIds ids;
  private final Pacer pacer;

  ChatCompletionsEndpoint(AnswerSource source, CompletionIds ids, Pacer pacer) {
    this.source = source;
    this.ids = ids;
    this.pacer = pacer;
  }

  /** Answers {@code request}; does not release it. */
  void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    ChatRequest chat;
    String answer;
    try {
      chat = ChatRequestParser.parse(request.content());
      answer = source.answer(chat);
    } catch (InvalidRequestException e) {
      ctx.writeAndFlush(badRequest(ctx, e.getMessage(), e.param()));
      return;
    } catch (IllegalArgumentException e) {
      ctx.writeAndFlush(badRequest(ctx, e.getMessage(), null));
      return;
    } catch (RuntimeException e) {
      log.warn("demo upstream: the answer source failed", e);
      ctx.writeAndFlush(
          JsonResponses.error(
              ctx.alloc(),
              HttpResponseStatus.INTERNAL_SERVER_ERROR,
              "The answer source failed: " + e,
              "server_error",
              null,
              null));
      return;
    }
    Completion completion = Completion.of(answer, chat.maxTokens());
    Usage usage = new Usage(chat.promptTokens(), completion.tokens());
    CompletionMeta meta = ids.next(chat.model());
    if (chat.stream()) {
      ChunkEvents events = new ChunkEvents(meta, chat.includeUsage());
      SseStream.start(
          ctx,
          request.protocolVersion(),
          events,
          completion,
          chat.includeUsage() ? usage : null,
          pacer);
    } else {
      ctx.writeAndFlush(
          JsonResponses.json(
              HttpResponseStatus.OK, CompletionBody.encode(ctx.alloc(), meta, completion, usage)));
    }
  }

  private static Object badRequest(ChannelHandlerContext ctx, String message, String param) {
    return JsonResponses.error(
        ctx.alloc(), HttpResponseStatus.BAD_REQUEST, message, "invalid_request_error", param, null);
  }
}
