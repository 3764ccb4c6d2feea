package dev.sluice.demo;

import dev.sluice.time.Clock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.OptionalInt;

/**
 * The response bodies the demo upstream sends, without a server: what a client asking for the
 * completion of {@code answer} reads after the HTTP head, encoded by the same code the server runs
 * ({@link CompletionEvents}, {@link ChunkEvents}, {@link CompletionBody}), so benchmarks and tests
 * get demo-framed streams in bulk without sockets or copies of the framing.
 *
 * <p>Completion ids follow the seed as the server's do (the n-th transcript of a seed has the id of
 * the server's n-th completion), and {@code created} comes from the clock. Thread-safe.
 */
public final class DemoTranscripts {

  private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

  private final CompletionIds ids;

  public DemoTranscripts(long seed, Clock clock) {
    this.ids = new CompletionIds(seed, clock);
  }

  /**
   * The {@code text/event-stream} body of a streamed completion ({@code "stream": true}), as the
   * concatenation of its events.
   *
   * @param prompt the user message (counted for {@code usage.prompt_tokens})
   * @param includeUsage as {@code stream_options.include_usage}: a usage chunk before {@code
   *     [DONE]}, and {@code "usage":null} in every other chunk
   */
  public byte[] stream(String model, String prompt, String answer, boolean includeUsage) {
    Completion completion = Completion.of(answer, OptionalInt.empty());
    CompletionEvents events =
        new CompletionEvents(
            new ChunkEvents(ids.next(model), includeUsage),
            completion,
            includeUsage ? usage(prompt, completion) : null);
    ByteArrayOutputStream out = new ByteArrayOutputStream(answer.length() * 64 + 512);
    while (events.hasNext()) {
      drain(events.next(HEAP), out);
    }
    return out.toByteArray();
  }

  /** The {@code chat.completion} JSON body of a completion that was not streamed. */
  public byte[] completion(String model, String prompt, String answer) {
    Completion completion = Completion.of(answer, OptionalInt.empty());
    ByteArrayOutputStream out = new ByteArrayOutputStream(answer.length() + 512);
    drain(CompletionBody.encode(HEAP, ids.next(model), completion, usage(prompt, completion)), out);
    return out.toByteArray();
  }

  private static Usage usage(String prompt, Completion completion) {
    return new Usage(Completion.tokenizer().count(prompt), completion.tokens());
  }

  private static void drain(ByteBuf b, ByteArrayOutputStream out) {
    try {
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      out.writeBytes(bytes);
    } finally {
      b.release();
    }
  }
}
