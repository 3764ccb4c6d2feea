package dev.sluice.codec;

/** The encoder's look-ahead: the first character of the section's next text value. */
abstract class TextLookahead {
  final byte[] chars = new byte[4];

  /** Finds it, puts it in {@link #chars} and returns its length; 0 if there is none. */
  abstract int next();
}
