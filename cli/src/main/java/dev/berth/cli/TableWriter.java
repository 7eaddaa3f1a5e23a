package dev.berth.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Aligns tab-separated lines into columns as Go's {@code text/tabwriter} does with docker's
 * settings (minimum width 10, padding 3, spaces): a cell is text ended by a tab, the text after the
 * last tab of a line is not aligned, and a column's width is taken over each run of consecutive
 * lines that have that column.
 */
final class TableWriter {
  private static final int MIN_WIDTH = 10;
  private static final int PADDING = 3;

  private TableWriter() {}

  static String format(String text) {
    List<String[]> lines = new ArrayList<>();
    String[] raw = text.split("\n", -1);
    // A trailing newline ends the last line rather than starting an empty one.
    int count = text.endsWith("\n") ? raw.length - 1 : raw.length;
    for (int i = 0; i < count; i++) {
      lines.add(raw[i].split("\t", -1));
    }
    int[][] widths = new int[lines.size()][];
    for (int i = 0; i < lines.size(); i++) {
      widths[i] = new int[lines.get(i).length - 1];
    }
    int maxCells = lines.stream().mapToInt(l -> l.length - 1).max().orElse(0);
    for (int col = 0; col < maxCells; col++) {
      int i = 0;
      while (i < lines.size()) {
        if (lines.get(i).length - 1 <= col) {
          i++;
          continue;
        }
        int start = i;
        int width = MIN_WIDTH;
        while (i < lines.size() && lines.get(i).length - 1 > col) {
          String cell = lines.get(i)[col];
          width = Math.max(width, cell.codePointCount(0, cell.length()) + PADDING);
          i++;
        }
        for (int j = start; j < i; j++) {
          widths[j][col] = width;
        }
      }
    }
    var sb = new StringBuilder(text.length() * 2);
    for (int i = 0; i < lines.size(); i++) {
      String[] cells = lines.get(i);
      for (int c = 0; c < cells.length - 1; c++) {
        sb.append(cells[c]);
        sb.repeat(' ', widths[i][c] - cells[c].codePointCount(0, cells[c].length()));
      }
      sb.append(cells[cells.length - 1]);
      if (i < count - 1 || text.endsWith("\n")) {
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
