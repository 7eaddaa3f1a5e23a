package dev.berth.content;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Starts a main class of the test classpath in a fresh JVM: the same java binary, the same classpath. */
final class Jvm {
  private Jvm() {}

  static Process start(Class<?> main, List<String> jvmOptions, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
