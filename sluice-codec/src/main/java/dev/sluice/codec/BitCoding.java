package dev.sluice.codec;

/**
 * One binary decision at a time, with the probability the models give: the same modelling code
 * drives encoding (the bit is known and written), decoding (the bit is read) and replaying (the bit
 * is known and nothing is written: the decoder's way of keeping its models in step over a stored
 * block).
 */
abstract class BitCoding {
  /**
   * Codes one bit.
   *
   * @param bit the bit, when encoding or replaying; ignored when decoding
   * @param p1 the probability that the bit is 1, 12 bits, 1..4095
   * @return the bit
   */
  abstract int code(int bit, int p1);

  static final int M_UNIT = 0;
  static final int M_SHAPE = 1;
  static final int M_NEW_SHAPE = 2;
  static final int M_SAME = 3;
  static final int M_TYPE = 4;
  static final int M_TEXT = 5;
  static final int M_BOUNDARY = 6;
  static final int M_FORM = 7;
  static final int M_NUMBER = 8;
  static final int M_ID = 9;
  static final int M_DIGITS = 10;
  static final int M_REF = 11;
  static final int M_LITERAL = 12;
  static final int M_END = 13;
  static final int MARKS = 14;

  /** Says what the next bits code (for cost accounting in measurements); does nothing here. */
  void mark(int category) {}

  /** True when the bits come from the input (decoding), false when they are given. */
  abstract boolean decoding();
}
