package dev.sluice.codec;

/**
 * The layout of a codec segment (one edge-link DATA payload), version 1. Integers are unsigned
 * LEB128 varints.
 *
 * <pre>
 * segment   = varint input-length (1 .. 524288), u8 kind, body
 * kind 0    BLOCKS: block... filling the rest of the segment
 * kind 1    STORED_SEGMENT: the input-length bytes as they are
 * block     = u8 type, varint block-input-length, body          (not the last block)
 *           | u8 type | 0x80, body                             (the last block of the segment)
 * CM        (1): varint pieces, varint n, n bytes of arithmetic code
 * ZSTD      (2): varint n, n bytes: one zstd frame (with the model's dictionary, if it has one)
 * STORED    (3): the block-input-length bytes as they are
 * </pre>
 *
 * <p>The last block says neither its input length (what is left of the segment's) nor, for CM and
 * ZSTD, its code length n (the rest of the segment): most segments are one block, and a segment of
 * one CM block has 4 to 6 bytes of header.
 *
 * <p>The block input lengths add up to the segment's input length. Both ends cut the stream into
 * pieces the same way ({@link SseEvents}, drained at the end of every segment), and a piece goes
 * through the models or not by its bytes alone ({@link StreamEncoder#codable}): runs of codable
 * pieces are CM blocks, coded with the stream's models, which carry over from block to block and
 * segment to segment ({@link PieceCoder}); the rest are ZSTD or STORED blocks and leave the models
 * alone. A segment that would code larger than it is is sent STORED_SEGMENT, and the decoder
 * replays its codable pieces through its models to stay in step with the encoder's, which learnt
 * from them while finding out.
 */
final class Segment {
  private Segment() {}

  static final int BLOCKS = 0;
  static final int STORED_SEGMENT = 1;
  static final int CM = 1;
  static final int ZSTD = 2;
  static final int STORED = 3;
  static final int LAST = 0x80;
}
