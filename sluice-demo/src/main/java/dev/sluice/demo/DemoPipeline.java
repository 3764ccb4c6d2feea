package dev.sluice.demo;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * The handlers of one client connection, in the order bytes pass them: HTTP/1.1 codec, keep-alive
 * (adds {@code Connection: close} and closes when the client asked for it or a response has no
 * length), aggregation into whole requests (and {@code 100 Continue}, {@code 413}), one response at
 * a time, then the router.
 */
@ChannelHandler.Sharable
final class DemoPipeline extends ChannelInitializer<Channel> {
  private final int maxRequestBytes;
  private final ChatCompletionsEndpoint chat;
  private final ModelsEndpoint models;
  private final ChannelGroup connections;

  private DemoPipeline(
      int maxRequestBytes,
      ChatCompletionsEndpoint chat,
      ModelsEndpoint models,
      ChannelGroup connections) {
    this.maxRequestBytes = maxRequestBytes;
    this.chat = chat;
    this.models = models;
    this.connections = connections;
  }

  /**
   * The pipeline of a server answering from {@code source}; shared by all its connections.
   *
   * @param connections where each connection is added, so that the server can close them all
   */
  static DemoPipeline of(AnswerSource source, DemoOptions options, ChannelGroup connections) {
    CompletionIds ids = new CompletionIds(options.seed(), options.clock());
    return new DemoPipeline(
        options.maxRequestBytes(),
        new ChatCompletionsEndpoint(source, ids, options.pacer()),
        new ModelsEndpoint(options.models(), options.clock().millis() / 1000),
        connections);
  }

  @Override
  protected void initChannel(Channel ch) {
    connections.add(ch);
    ChannelPipeline p = ch.pipeline();
    p.addLast("http", new HttpServerCodec());
    p.addLast("keep-alive", new HttpServerKeepAliveHandler());
    p.addLast("aggregate", new HttpObjectAggregator(maxRequestBytes));
    p.addLast("one-at-a-time", new OneResponseAtATime());
    p.addLast("route", new OpenAiRouter(chat, models));
  }
}
