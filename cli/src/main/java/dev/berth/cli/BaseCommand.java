package dev.berth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command reaches through the root: the streams, the environment and the engine. */
abstract class BaseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  BerthCli cli() {
    return (BerthCli) spec.root().userObject();
  }

  Streams io() {
    return cli().streams();
  }

  PrintStream out() {
    return io().out();
  }

  PrintStream err() {
    return io().err();
  }

  Engine engine() throws IOException {
    return cli().engine();
  }
}
