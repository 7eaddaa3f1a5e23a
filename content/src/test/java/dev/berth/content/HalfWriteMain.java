package dev.berth.content;

import java.nio.file.Path;
import java.util.Random;

/** Child process of the crash test: writes half a blob, says so, then waits to be killed. */
public final class HalfWriteMain {
  public static void main(String[] args) throws Exception {
    var store = LocalContentStore.at(Path.of(args[0]));
    byte[] half = new byte[1 << 20];
    new Random(42).nextBytes(half);
    ContentWriter w = store.writer();
    w.write(half);
    w.flush();
    System.out.println("HALF WRITTEN");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
