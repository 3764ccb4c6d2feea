package dev.sluice.config;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" for misspelt keys: the closest candidate within a small edit distance. */
final class Suggestions {

  private Suggestions() {}

  /** The candidate closest to {@code word} (at most 2 edits, or 1 for short words), or null. */
  static String closest(String word, Collection<String> candidates) {
    String w = word.toLowerCase(Locale.ROOT);
    int limit = w.length() <= 4 ? 1 : 2;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(w, c.toLowerCase(Locale.ROOT));
      if (d <= limit && d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best;
  }

  /**
   * Edit distance counting an insertion, deletion, substitution or swap of two neighbours as one
   * edit (optimal string alignment); '-' and '_' count as equal.
   */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = same(a.charAt(i - 1), b.charAt(j - 1)) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && same(a.charAt(i - 1), b.charAt(j - 2))
            && same(a.charAt(i - 2), b.charAt(j - 1))) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private static boolean same(char x, char y) {
    return x == y || (x == '-' && y == '_') || (x == '_' && y == '-');
  }
}
