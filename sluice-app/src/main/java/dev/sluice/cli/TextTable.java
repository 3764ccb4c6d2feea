package dev.sluice.cli;

import java.io.PrintWriter;
import java.util.List;

/**
 * Prints rows as aligned columns, two spaces apart, for the human output of the CLI. Column widths
 * come from the longest cell; {@code right[i]} right-aligns column i (sizes and counts).
 */
final class TextTable {

  private TextTable() {}

  /** Prints {@code rows} (the first is usually the header); trailing blanks are stripped. */
  static void print(List<String[]> rows, boolean[] right, PrintWriter out) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        String pad = " ".repeat(width[i] - row[i].length());
        line.append(i == 0 ? "" : "  ");
        line.append(right[i] ? pad + row[i] : row[i] + pad);
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
