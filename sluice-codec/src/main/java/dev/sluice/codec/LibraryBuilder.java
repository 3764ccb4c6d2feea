package dev.sluice.codec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the shapes of the trainer's streams into a {@link ShapeLibrary}: the most frequent ones
 * (by the number of streams that had them; at least two), each with the values it held at the end
 * of the last stream that had it, the shape that most often followed it, and the shape that most
 * often started a stream; and the {@link ShapeLiterals} of every shape of every stream. Build once.
 */
final class LibraryBuilder {
  private final int max;
  private final Map<String, Entry> entries = new HashMap<>();
  private final List<Entry> order = new ArrayList<>();
  private final ShapeLiterals literals = ShapeLiterals.counting();

  private static final class Entry {
    final String key;
    Shape shape;
    int streams;
    int starts;
    final Map<String, Integer> followers = new HashMap<>();
    final Map<String, Integer> sigFollowers = new HashMap<>();
    boolean[] varies;

    Entry(String key) {
      this.key = key;
    }
  }

  LibraryBuilder(int max) {
    this.max = max;
  }

  private static String key(Shape s) {
    return new String(s.bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * Adds the shapes a stream ended with ({@code table}), and what followed what in it ({@code
   * trace}: every shape coded, in order).
   */
  void add(ShapeTable table, List<Shape> trace) {
    // Every shape the stream had, once, into the statistics of shape bytes.
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Shape s : trace) {
      if (seen.add(key(s))) {
        literals.count(s.bytes, s.bytes.length);
      }
    }
    Map<Shape, String> keys = new HashMap<>();
    for (int i = 0; i < table.size; i++) {
      Shape s = table.order[i];
      String k = key(s);
      keys.put(s, k);
      Entry e = entries.get(k);
      if (e == null) {
        e = new Entry(k);
        entries.put(k, e);
        order.add(e);
      }
      if (e.shape != null) {
        if (e.varies == null) {
          e.varies = new boolean[s.slots];
        }
        for (int j = 0; j < s.slots; j++) {
          int a = e.shape.valueStart(j);
          int b = s.valueStart(j);
          e.varies[j] |=
              e.shape.known[j] != s.known[j]
                  || !java.util.Arrays.equals(
                      e.shape.vals, a, e.shape.vEnd[j], s.vals, b, s.vEnd[j]);
        }
      }
      e.shape = s.copy();
      e.streams++;
    }
    if (!trace.isEmpty() && keys.containsKey(trace.get(0))) {
      entries.get(keys.get(trace.get(0))).starts++;
    }
    Shape lastSig = null;
    for (int i = 0; i < trace.size(); i++) {
      Shape s = trace.get(i);
      String k = keys.computeIfAbsent(s, LibraryBuilder::key);
      Entry e = entries.get(k);
      if (i + 1 < trace.size() && e != null) {
        e.followers.merge(
            keys.computeIfAbsent(trace.get(i + 1), LibraryBuilder::key), 1, Integer::sum);
      }
      if (!s.blank) {
        if (lastSig != null) {
          Entry le = entries.get(keys.get(lastSig));
          if (le != null) {
            le.sigFollowers.merge(k, 1, Integer::sum);
          }
        }
        lastSig = s;
      }
    }
  }

  private static int mostFrequent(Map<String, Integer> followers, Map<String, Integer> index) {
    int best = 0;
    int next = -1;
    for (Map.Entry<String, Integer> f : followers.entrySet()) {
      Integer j = index.get(f.getKey());
      if (j != null && (f.getValue() > best || (f.getValue() == best && j < next))) {
        best = f.getValue();
        next = j;
      }
    }
    return next;
  }

  ShapeLibrary build() {
    // A shape seen in one stream only (an array of that stream's length) teaches nothing general,
    // and tuning on that very stream would find all its values repeated.
    List<Entry> kept = new ArrayList<>();
    for (Entry e : order) {
      if (e.streams >= 2) {
        kept.add(e);
      }
    }
    kept.sort((a, b) -> a.streams != b.streams ? b.streams - a.streams : 0);
    if (kept.size() > max) {
      kept = kept.subList(0, max);
    }
    Map<String, Integer> index = new HashMap<>();
    Shape[] shapes = new Shape[kept.size()];
    for (int i = 0; i < shapes.length; i++) {
      shapes[i] = kept.get(i).shape;
      shapes[i].lib = i;
      for (int j = 0; j < shapes[i].slots; j++) {
        // Stable: the same in every stream that had the shape (and seen in at least two).
        shapes[i].stable[j] = kept.get(i).varies != null && !kept.get(i).varies[j];
      }
      index.put(kept.get(i).key, i);
    }
    int first = -1;
    int bestStarts = 0;
    for (int i = 0; i < shapes.length; i++) {
      Entry e = kept.get(i);
      if (e.starts > bestStarts) {
        bestStarts = e.starts;
        first = i;
      }
      shapes[i].libNext = mostFrequent(e.followers, index);
      shapes[i].libSigNext = mostFrequent(e.sigFollowers, index);
    }
    literals.toCodingForm();
    return new ShapeLibrary(shapes, first, literals);
  }
}
