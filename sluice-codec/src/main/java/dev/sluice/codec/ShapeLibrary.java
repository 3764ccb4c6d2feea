package dev.sluice.codec;

/**
 * Shapes the model file brings (the units of the training streams: every API family's events, HTTP
 * heads), with the values they held, read-only and shared by every stream. A stream's first unit of
 * a kind is coded as a difference from the closest library shape, so a fresh stream does not pay
 * for the keys of its first events.
 */
final class ShapeLibrary {
  static final ShapeLibrary EMPTY = new ShapeLibrary(new Shape[0], -1, null);

  final Shape[] shapes;

  /** The library shape that most often starts a stream, or -1. */
  final int first;

  final int indexBits;

  /** Statistics of the training streams' shape bytes, or null. */
  final ShapeLiterals literals;

  ShapeLibrary(Shape[] shapes, int first, ShapeLiterals literals) {
    this.shapes = shapes;
    this.first = first;
    this.literals = literals;
    int bits = 0;
    while ((1 << bits) < shapes.length + 1) {
      bits++;
    }
    this.indexBits = bits;
  }

  int size() {
    return shapes.length;
  }
}
