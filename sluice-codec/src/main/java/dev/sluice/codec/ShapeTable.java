package dev.sluice.codec;

/**
 * The shapes a stream has seen, most recently used first, at most {@link #CAPACITY}; the least
 * recently used one is forgotten when a new one comes. Encoder and decoder keep identical tables,
 * so a shape is named by its rank in {@link #order}.
 */
final class ShapeTable {
  static final int CAPACITY = 32;

  final Shape[] order = new Shape[CAPACITY];
  int size;
  private int nextId;

  /** The shape with these bytes, or null. */
  Shape find(byte[] b, int len) {
    long h = Shape.hash(b, len);
    for (int i = 0; i < size; i++) {
      Shape s = order[i];
      if (s.hash == h && s.sameBytes(b, len)) {
        return s;
      }
    }
    return null;
  }

  /** The shape with id {@code id}, or null. */
  Shape byId(int id) {
    for (int i = 0; i < size; i++) {
      if (order[i].id == id) {
        return order[i];
      }
    }
    return null;
  }

  int rank(Shape s) {
    for (int i = 0; i < size; i++) {
      if (order[i] == s) {
        return i;
      }
    }
    return -1;
  }

  /** Moves {@code s} to the front. */
  void use(Shape s) {
    int r = rank(s);
    System.arraycopy(order, 0, order, 1, r);
    order[0] = s;
  }

  /** Adds a new shape at the front, forgetting the last if full. */
  void add(Shape s) {
    s.id = nextId++;
    if (size < CAPACITY) {
      size++;
    }
    System.arraycopy(order, 0, order, 1, size - 1);
    order[0] = s;
  }
}
