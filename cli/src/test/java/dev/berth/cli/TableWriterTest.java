package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TableWriterTest {
  @Test
  void alignsLikeGoTabwriterWithDockerSettings() {
    String out = TableWriter.format("REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n"
        + "busybox\tlatest\t7464f11e0979\t2 months ago\t1.98MB\n"
        + "localhost:5000/team/app\tlatest\t2e21f8fb6f94\t2 years ago\t17B\n");
    assertEquals(""
        + "REPOSITORY                TAG       IMAGE ID       CREATED        SIZE\n"
        + "busybox                   latest    7464f11e0979   2 months ago   1.98MB\n"
        + "localhost:5000/team/app   latest    2e21f8fb6f94   2 years ago    17B\n", out);
  }

  @Test
  void anEmptyLastCellStillPadsTheCellBeforeIt() {
    // docker history's empty COMMENT column leaves trailing spaces, as Go's tabwriter does.
    assertEquals("IMAGE     COMMENT\nabc       \n", TableWriter.format("IMAGE\tCOMMENT\nabc\t\n"));
  }

  @Test
  void widthsCountCodePoints() {
    assertEquals("é…        x\nab        y\n", TableWriter.format("é…\tx\nab\ty\n"));
  }
}
