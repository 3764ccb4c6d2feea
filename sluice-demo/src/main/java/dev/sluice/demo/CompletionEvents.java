package dev.sluice.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The server-sent events of one streamed completion, one at a time and in order: the role chunk,
 * one content chunk per piece of the {@link Completion} (a token of the o200k tokenizer), the
 * finish chunk, the usage chunk when the client asked for it, and {@code data: [DONE]}. {@link
 * SseStream} writes them one per flush; {@link DemoTranscripts} concatenates them. Each event is
 * encoded only when asked for. Not thread-safe.
 */
final class CompletionEvents {

  private enum Step {
    ROLE,
    CONTENT,
    FINISH,
    USAGE,
    DONE,
    ENDED
  }

  private final ChunkEvents events;
  private final Completion completion;
  private final Usage usage;
  private Step step = Step.ROLE;
  private int piece;

  /**
   * @param usage the counts for the usage chunk, or null when the client did not ask for one
   */
  CompletionEvents(ChunkEvents events, Completion completion, Usage usage) {
    this.events = events;
    this.completion = completion;
    this.usage = usage;
  }

  /** True until {@code data: [DONE]} was returned. */
  boolean hasNext() {
    return step != Step.ENDED;
  }

  /** Encodes the next event into a new buffer of {@code alloc}. */
  ByteBuf next(ByteBufAllocator alloc) {
    switch (step) {
      case ROLE:
        step = completion.pieces().isEmpty() ? Step.FINISH : Step.CONTENT;
        return events.role(alloc);
      case CONTENT:
        String content = completion.pieces().get(piece++);
        if (piece == completion.pieces().size()) {
          step = Step.FINISH;
        }
        return events.content(alloc, content);
      case FINISH:
        step = usage == null ? Step.DONE : Step.USAGE;
        return events.finish(alloc, completion.finishReason());
      case USAGE:
        step = Step.DONE;
        return events.usage(alloc, usage);
      case DONE:
        step = Step.ENDED;
        return ChunkEvents.done();
      default:
        throw new IllegalStateException("stream already ended");
    }
  }
}
